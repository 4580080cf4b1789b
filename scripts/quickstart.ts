// `pnpm run quickstart`: the program is examples/quickstart/main.ts (read it there).
import { main } from '../examples/quickstart/main.js';

await main();
