/** What the running binary was built from: package.json's version, plus the git commit build.ts stamps in. */
import { VERSION } from '../cli.ts';

// Replaced by build.ts (`--define`); when running from source it is simply not there.
declare const GATEWAY_COMMIT: string | undefined;

/** The git commit of the build (`abc1234`, `-dirty` when the tree had changes), or undefined from source. */
export const COMMIT: string | undefined =
  typeof GATEWAY_COMMIT === 'string' && GATEWAY_COMMIT !== '' ? GATEWAY_COMMIT : undefined;

/** What `--version` prints: `0.1.0`, or `0.1.0 (commit abc1234)` for a stamped build. */
export const VERSION_LINE: string = COMMIT ? `${VERSION} (commit ${COMMIT})` : VERSION;
