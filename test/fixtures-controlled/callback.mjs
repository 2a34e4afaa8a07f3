// Test adapter: the user's callback runs after a dependency's own (uninstrumented) timer await.
import { later } from 'slow-lib/later.js';

let n = 0;
export default {
  init() {
    n = 0;
  },
  operations: {
    async call() {
      await later(async () => {
        await null; // reached while another lane (or none) holds the grant
        n++;
      });
    },
  },
  workerStats: () => ({ call: n }),
};
