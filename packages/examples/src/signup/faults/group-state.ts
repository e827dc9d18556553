import type { Admin } from 'kafkajs';
import { sleep } from './inject';

/** A consumer group's state as DescribeGroups tells it: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead. */
export async function groupState(admin: Admin, groupId: string): Promise<string> {
  const { groups } = await admin.describeGroups([groupId]);
  return groups.find((g) => g.groupId === groupId)?.state ?? 'Unknown';
}

export function isRebalancing(state: string): boolean {
  return state === 'PreparingRebalance' || state === 'CompletingRebalance';
}

/**
 * Polls the group's state until `wanted` holds; resolves with that state.
 * Rejects past `timeoutMs`, naming the last state seen. A failed poll (the
 * broker busy) is tried again on the next one.
 */
export async function waitForGroupState(
  admin: Admin,
  groupId: string,
  wanted: (state: string) => boolean,
  timeoutMs: number,
  options: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not described yet';
  for (;;) {
    try {
      last = await groupState(admin, groupId);
      if (wanted(last)) return last;
    } catch (error) {
      last = `describe failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() >= deadline) throw new Error(`group ${groupId} still ${last} after ${timeoutMs} ms`);
    await sleep(options.pollMs ?? 25, options.signal);
  }
}
