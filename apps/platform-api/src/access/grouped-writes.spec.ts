import { GroupedWrites } from './grouped-writes';

test('submits of one turn go out as one write, each answered with its own output, in order', async () => {
  const writes: number[][] = [];
  const g = new GroupedWrites<number, string>(500, (inputs) => {
    writes.push([...inputs]);
    return Promise.resolve(inputs.map((n) => `#${n}`));
  });
  const answers = await Promise.all([1, 2, 3].map((n) => g.submit(n)));
  expect(answers).toEqual(['#1', '#2', '#3']);
  expect(writes).toEqual([[1, 2, 3]]);
  expect(await g.submit(4)).toBe('#4'); // a later turn: a write of its own
  expect(writes).toEqual([[1, 2, 3], [4]]);
});

test('at most maxBatch per write; a failed write rejects its batch only', async () => {
  const writes: number[][] = [];
  const g = new GroupedWrites<number, number>(2, (inputs) => {
    writes.push([...inputs]);
    return inputs.includes(3) ? Promise.reject(new Error('disk full')) : Promise.resolve([...inputs]);
  });
  const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => g.submit(n)));
  expect(writes).toEqual([[1, 2], [3, 4], [5]]);
  expect(outcomes.map((o) => o.status)).toEqual([
    'fulfilled',
    'fulfilled',
    'rejected',
    'rejected',
    'fulfilled',
  ]);
});
