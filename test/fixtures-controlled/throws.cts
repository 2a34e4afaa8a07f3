// Test adapter (TypeScript, CommonJS through require): the throw is on line 10.
interface Shape {
  n: number;
}

module.exports = {
  operations: {
    async boom(): Promise<Shape> {
      await Promise.resolve<Shape>({ n: 1 });
      throw new Error('boom from cts');
    },
    source: () => String(module.exports.operations.boom),
  },
};
