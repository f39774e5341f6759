// A bounded buffer of recent numbers (per-host latencies): O(1) push, median on demand.
// It grows up to its capacity, so hosts with few pages cost a few bytes, never more than `capacity`.

export class Ring {
  private readonly values: number[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(value: number): void {
    if (this.values.length < this.capacity) {
      this.values.push(value);
    } else {
      this.values[this.next] = value;
      this.next = (this.next + 1) % this.capacity;
    }
  }

  /** Median of the values held; null when empty. Costs a sort of at most `capacity` numbers. */
  median(): number | null {
    const n = this.values.length;
    if (n === 0) return null;
    const sorted = this.values.slice().sort((a, b) => a - b);
    const mid = n >> 1;
    return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
}
