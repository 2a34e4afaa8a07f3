// The words of findings and diagnoses, shared by the stages that write them.

/** "1 worker", "2 workers"; `many` for irregular plurals. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
