// Test adapter: an await, then a throw on a known line (9); `source` shows what was instrumented.
import { slow } from 'slow-lib';

export default {
  operations: {
    async boom() {
      await slow(1);
      const pad = `await in a template string, not code`;
      throw new Error(`boom ${pad.length}`);
    },
    source: () => ({ own: String(this_op), lib: String(slow) }),
  },
};
async function this_op() {
  await 1;
}
