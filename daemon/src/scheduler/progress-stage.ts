import type { ProgressStage } from '@mailping/shared';
import type { ProgressStage as EngineStage } from '../verify/pipeline';

/** The engine's stages as the protocol names them; 'done' is not a stage (the result says it). */
export function toProtocolStage(stage: EngineStage): ProgressStage | null {
  switch (stage) {
    case 'dns':
    case 'connect':
    case 'ehlo':
    case 'rcpt':
      return stage;
    case 'done':
      return null;
  }
}
