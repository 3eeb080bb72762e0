/**
 * How long the removals one host started took, from start to proof (most recent last): when most
 * were done, the first look at a new one asks for the proof directly, which usually ends the wait
 * in one request. Pacing only: no decision depends on it. Held by the host's context.
 */
export class RemovalTimes {
  private readonly durations: number[] = [];

  add(ms: number): void {
    this.durations.push(ms);
    if (this.durations.length > 200) this.durations.shift();
  }

  /** When most removals started here were done (the 90th percentile), once there are a few to go by. */
  predicted(): number | undefined {
    if (this.durations.length < 5) return undefined;
    const sorted = [...this.durations].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length * 0.9)];
  }
}
