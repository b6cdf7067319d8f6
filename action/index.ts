/** The action's entry point, as `action.yml` runs it (bundled to `dist/index.js`). */
import { run } from './main';

void run();
