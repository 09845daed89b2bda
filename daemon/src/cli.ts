import { main } from './cli/main';
import { trace } from './metrics/timing-trace';

trace('bundle.loaded');

process.exitCode = await main(process.argv.slice(2));
