// Test adapter: ticket-unsafe in TypeScript, with types that move the lines of the compiled JavaScript
// (the interface below is erased): the schedule's steps must name this file's own lines.
interface Seats {
  left: number;
  sold: number;
}

const state: Seats = { left: 0, sold: 0 };

const io = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const audit = async (what: string): Promise<string> => what;

export default {
  threadSafe: true,
  init(): void {
    state.left = 1;
    state.sold = 0;
  },
  operations: {
    async book(): Promise<void> {
      await io();
      if (state.left > 0) {
        await audit('hold'); // line 23: the await between the check and the act
        state.left--;
        state.sold++;
      }
    },
  },
  workerStats: (): Record<string, number> => ({ oversold: Math.max(0, state.sold - 1) }),
  expected: (): Record<string, number> => ({ oversold: 0 }),
};
