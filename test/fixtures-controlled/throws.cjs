// Test adapter (CommonJS JavaScript): the throw is on line 7.
const helper = require('./cjs-pkg/helper.cjs');
module.exports = {
  operations: {
    async boom() {
      await helper.wait();
      throw new Error('boom from cjs');
    },
    source: () => String(helper.wait),
  },
};
