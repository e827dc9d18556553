import type { FleetView } from '../fleet';
import { FleetFeed, type FleetSource } from './fleet-feed';

function fakeView(at: number): FleetView {
  return { fleet: { at, windowMs: 300_000, agents: [], stuckSagas: {}, newerContractHeartbeats: 0 }, alerts: [], transitions: [], notes: { undecodable: 0 } };
}

describe('FleetFeed', () => {
  it('keeps the last view when a refresh fails, says so, and takes the next good one', async () => {
    const answers: Array<() => Promise<FleetView>> = [async () => fakeView(1), async () => Promise.reject(new Error('ECONNREFUSED')), async () => fakeView(3)];
    const source: FleetSource = { refresh: () => answers.shift()?.() ?? new Promise<FleetView>(() => undefined), close: async () => undefined };
    const feed = new FleetFeed(source, { everyMs: 1, historySize: 10, refreshTimeoutMs: 5_000, brokers: ['b:1'], windowText: '5m' });
    const first = feed.nextRefresh();
    feed.start();
    await first;
    expect(feed.latest()!.fleet.at).toBe(1);
    await feed.nextRefresh();
    expect(feed.connection()).toMatchObject({ state: 'unreachable' });
    expect(feed.latest()!.fleet.at).toBe(1);
    await feed.nextRefresh();
    expect(feed.latest()!.fleet.at).toBe(3);
    await feed.stop();
  });

  it('counts a refresh that does not answer in time as the broker being away', async () => {
    const source: FleetSource = { refresh: () => new Promise<FleetView>(() => undefined), close: async () => undefined };
    const feed = new FleetFeed(source, { everyMs: 1, historySize: 10, refreshTimeoutMs: 20, brokers: ['b:1'], windowText: '5m' });
    const first = feed.nextRefresh();
    feed.start();
    await first;
    expect(feed.connection()).toMatchObject({ state: 'unreachable', message: 'cannot read the mesh on b:1: no answer within 0.02 s; reconnecting' });
    await feed.stop();
  });
});
