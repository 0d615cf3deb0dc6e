/**
 * Work over items 0..count-1 done `chunk` items per turn of the event loop, so that a large load can return
 * before it is done; the function returned finishes what is left at once, for whoever needs it all now.
 * Used for lookup maps over a million loaded faces (~1 s of string keys on a small machine) that searches
 * do not need: the map is filled behind the first requests, and its first reader completes it, so nothing
 * ever sees it partial. With `count` at most `chunk` the work is done before this returns.
 */
export function inBackground(count: number, step: (index: number) => void, chunk: number): () => void {
  let next = 0;
  let work: ((index: number) => void) | undefined = step;
  const run = (end: number): void => {
    for (; work && next < Math.min(end, count); next++) work(next);
    if (next >= count) work = undefined; // lets go of whatever `step` holds (the loaded items)
  };
  if (count <= chunk) run(count);
  else {
    const turn = (): void => {
      run(next + chunk);
      if (work) setImmediate(turn);
    };
    setImmediate(turn);
  }
  return () => run(count);
}
