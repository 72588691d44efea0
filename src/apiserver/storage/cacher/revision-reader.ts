// A revision obtained from etcd (the current one, or that of a progress write), shared by concurrent
// callers: a caller joins the next read that starts after it arrived (never one already in flight,
// which could predate its request), so at most two are outstanding however many requests wait.

export class RevisionReader {
  private running: Promise<bigint> | undefined;
  private queued: Promise<bigint> | undefined;

  constructor(private readonly read: () => Promise<string>) {}

  current(): Promise<bigint> {
    if (this.running === undefined) return this.start();
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    return this.queued;
  }

  private start(): Promise<bigint> {
    const p = this.read().then((rv) => BigInt(rv));
    this.running = p;
    const clear = (): void => {
      if (this.running === p) this.running = undefined;
    };
    p.then(clear, clear);
    return p;
  }
}
