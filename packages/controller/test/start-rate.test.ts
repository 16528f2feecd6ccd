/**
 * The scheduler claims ahead, pipelined, as many tasks as started in about the last window (issue
 * 23): a burst of fast attempts gets a deep queue, slow endpoints a shallow one.
 */
import { StartRate } from '../src/tasks/start-rate';

test('counts the starts of about the last window, and forgets them as time goes on', () => {
  let now = 1000;
  const rate = new StartRate(20, () => now);
  expect(rate.recent).toBe(0);
  for (let i = 0; i < 5; i++) rate.started();
  expect(rate.recent).toBe(5);
  now += 10; // half a window on: those five are the previous half's
  rate.started();
  expect(rate.recent).toBe(6);
  now += 10; // another half: the first five are over
  expect(rate.recent).toBe(1);
  now += 25; // more than a window with no start
  expect(rate.recent).toBe(0);
});
