/** The command line's entry: bin/duet.js runs this (bundled as out/main/cli.js, or from the sources). */
import { main } from './index.js';

await main();
