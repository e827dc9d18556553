import { buildJourney } from '../../journey/journey';
import { outcomeText } from '../../journey/waterfall';
import { catchUp } from '../../commands/trace/catch-up';
import { journeyJson, jaegerBase, parseTraceId, withIndex, type JourneyJson } from '../../commands/trace';
import type { ConsoleContext } from '../context';
import { HttpError } from '../http';

export interface TracePage extends JourneyJson {
  /** Each hop's outcome in words, as the waterfall prints it. */
  outcomes: string[];
}

/** GET /api/trace/:id: the journey of an event (or correlation, trace or saga id), the index brought up to date first. */
export async function getTrace(ctx: ConsoleContext, rawId: string): Promise<TracePage> {
  let id: string;
  try {
    id = parseTraceId(rawId);
  } catch (error) {
    throw new HttpError(400, (error as Error).message);
  }
  const journey = await withIndex({ brokers: ctx.brokers, redis: ctx.redisUrl, registry: ctx.registryUrl }, 'console-trace', async (kafka, admin, index, replies) => {
    await catchUp(kafka, admin, index, replies);
    const found = await index.find(id);
    if (found === undefined) return undefined;
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    return buildJourney(found.rows, groups);
  });
  if (journey === undefined || journey.hops.length === 0) throw new HttpError(404, `no record on ${ctx.brokers.join(',')} carries '${id}' as its event, correlation, trace or saga id`);
  return { ...journeyJson(journey, jaegerBase(undefined)), outcomes: journey.hops.map((h) => outcomeText(h)) };
}
