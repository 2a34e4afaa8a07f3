// Test adapter (TypeScript, ESM): types shift columns and lines compile away; the throw is on line 11.
interface Shape {
  n: number;
}
type Maybe<T> = T | null;

export default {
  operations: {
    async boom(): Promise<Maybe<Shape>> {
      await Promise.resolve<Shape>({ n: 1 });
      throw new Error('boom from ts');
    },
  },
};
