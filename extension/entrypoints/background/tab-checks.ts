import type { CheckState, TabCheck } from '@/lib/messages';

/**
 * The context menu's last check per tab, kept for the toolbar badge and the popup. Saved to
 * session storage through `save`, so the badge keeps following the check after a worker restart.
 */
export class TabChecks {
  readonly #byTab = new Map<number, TabCheck & { key: string }>();

  constructor(
    private readonly deps: {
      keyOf(address: string): string | null;
      show(tabId: number, address: string, state: CheckState): void;
      clear(tabId: number): void;
      save(checks: Record<string, TabCheck>): void;
    },
  ) {}

  load(saved: Record<string, TabCheck>): void {
    for (const [tab, check] of Object.entries(saved)) {
      const key = this.deps.keyOf(check.address);
      if (key !== null && !this.#byTab.has(Number(tab))) this.#byTab.set(Number(tab), { ...check, key });
    }
  }

  set(tabId: number, address: string, state: CheckState, now = Date.now()): void {
    const key = this.deps.keyOf(address) ?? address;
    this.#byTab.set(tabId, { address, state, at: now, key });
    this.deps.show(tabId, address, state);
    this.#save();
  }

  forget(tabId: number): void {
    if (!this.#byTab.delete(tabId)) return;
    this.deps.clear(tabId);
    this.#save();
  }

  get(tabId: number): TabCheck | null {
    const check = this.#byTab.get(tabId);
    return check ? { address: check.address, state: check.state, at: check.at } : null;
  }

  /** A state change of some address: follow it on every tab showing that address. */
  update(key: string, state: CheckState): void {
    let changed = false;
    for (const [tabId, check] of this.#byTab) {
      if (check.key !== key) continue;
      check.state = state;
      this.deps.show(tabId, check.address, state);
      changed = true;
    }
    if (changed) this.#save();
  }

  #save(): void {
    const out: Record<string, TabCheck> = {};
    for (const [tabId, { address, state, at }] of this.#byTab) out[String(tabId)] = { address, state, at };
    this.deps.save(out);
  }
}
