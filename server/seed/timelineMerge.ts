import type { CustomerTimeline } from './customerTimeline.ts';
import type { SeedEvent } from './seedEvents.ts';

/**
 * Merges every customer's history into one stream in time order (ties go to
 * the earlier customer), the order the studio would have reported it in.
 * Rows then reach the database as they would in production: time-ordered ids
 * and the `created_at` indexes grow at their right edge.
 */
export class TimelineMerge {
  private readonly heap: number[] = [];
  private readonly nextAt: Float64Array;

  constructor(private readonly timelines: readonly CustomerTimeline[]) {
    this.nextAt = new Float64Array(timelines.length);
    timelines.forEach((timeline, index) => {
      this.nextAt[index] = timeline.peekAt();
      if (this.nextAt[index] !== Infinity) this.heap.push(index);
    });
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  next(): SeedEvent | undefined {
    const { heap } = this;
    while (heap.length > 0) {
      const top = heap[0];
      const timeline = this.timelines[top];
      // A timeline that is due but has nothing generated yet plans its next session and goes back in line.
      const event = timeline.ready() ? timeline.take() : (timeline.expand(), undefined);
      this.nextAt[top] = timeline.peekAt();
      if (this.nextAt[top] === Infinity) {
        const last = heap.pop() as number;
        if (heap.length > 0) {
          heap[0] = last;
          this.siftDown(0);
        }
      } else {
        this.siftDown(0);
      }
      if (event) return event;
    }
    return undefined;
  }

  private before(a: number, b: number): boolean {
    const atA = this.nextAt[a];
    const atB = this.nextAt[b];
    return atA < atB || (atA === atB && a < b);
  }

  private siftDown(from: number): void {
    const { heap } = this;
    const size = heap.length;
    let i = from;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) return;
      const right = left + 1;
      const child = right < size && this.before(heap[right], heap[left]) ? right : left;
      if (!this.before(heap[child], heap[i])) return;
      [heap[i], heap[child]] = [heap[child], heap[i]];
      i = child;
    }
  }
}
