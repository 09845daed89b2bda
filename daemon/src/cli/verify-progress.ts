import cliProgress from 'cli-progress';
import type { Verdict } from '@mailping/shared';

/** A progress bar on stderr with counts by verdict and from the cache, for lists on a terminal. */
export class VerifyProgress {
  private readonly bars = new cliProgress.MultiBar(
    {
      format: ' {bar} {value}/{total} | ✔ {deliverable}  ✘ {undeliverable}  ! {risky}  ? {unknown} | {cached} from cache | {duration_formatted}{waiting}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  private readonly counts: Record<Verdict | 'cached', number> & { waiting: string } = {
    deliverable: 0,
    undeliverable: 0,
    risky: 0,
    unknown: 0,
    cached: 0,
    waiting: '',
  };
  private readonly bar: cliProgress.SingleBar;

  constructor(total: number) {
    this.bar = this.bars.create(total, 0, this.counts);
  }

  count(verdict: Verdict, cached: boolean): void {
    this.counts[verdict]++;
    if (cached) this.counts.cached++;
    this.bar.increment(1, this.counts);
  }

  /** Which hosts the run waits for before asking again, and until when; null when it waits for none. */
  waiting(summary: string | null): void {
    this.counts.waiting = summary ? ` | waiting for ${summary}` : '';
    this.bar.update(this.counts);
  }

  log(text: string): void {
    this.bars.log(`${text}\n`);
  }

  stop(): void {
    this.bars.stop();
  }
}
