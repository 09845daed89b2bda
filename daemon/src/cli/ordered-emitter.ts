/** Items arrive in any order; they are emitted in index order as soon as that allows. */
export class OrderedEmitter<T> {
  private next = 0;
  private readonly waiting = new Map<number, T>();

  constructor(private readonly emit: (item: T, index: number) => void) {}

  add(index: number, item: T): void {
    this.waiting.set(index, item);
    while (this.waiting.has(this.next)) {
      const ready = this.waiting.get(this.next)!;
      this.waiting.delete(this.next);
      this.emit(ready, this.next++);
    }
  }

  /** How many were emitted (a prefix of the input). */
  get emitted(): number {
    return this.next;
  }
}
