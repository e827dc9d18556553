import { Header } from '@agentmesh/runtime';

/**
 * The headers an event goes out with: the given ones, its event id (given, else a new one) and its
 * correlation id (given, else its own event id: the event starts a conversation).
 */
export function eventHeaders(given: Readonly<Record<string, string>>, newId: () => string): { eventId: string; headers: Record<string, string> } {
  const eventId = given[Header.eventId] ?? newId();
  return { eventId, headers: { ...given, [Header.eventId]: eventId, [Header.correlationId]: given[Header.correlationId] ?? eventId } };
}
