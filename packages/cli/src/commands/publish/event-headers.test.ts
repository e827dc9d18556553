import { eventHeaders } from './event-headers';

describe('eventHeaders', () => {
  it('gives a new event id, which is also the correlation id', () => {
    expect(eventHeaders({ source: 'cli' }, () => 'id-1')).toEqual({ eventId: 'id-1', headers: { source: 'cli', 'mesh-event-id': 'id-1', 'mesh-correlation-id': 'id-1' } });
  });

  it('keeps ids that are given', () => {
    expect(eventHeaders({ 'mesh-event-id': 'e', 'mesh-correlation-id': 'c' }, () => 'unused')).toEqual({ eventId: 'e', headers: { 'mesh-event-id': 'e', 'mesh-correlation-id': 'c' } });
  });
});
