import { deriveEventId, Header, type EventCodec } from '@agentmesh/runtime';
import type { InvoiceReceived, InvoiceSource } from '@agentmesh/schema-registry';
import type { Producer } from 'kafkajs';
import { InvoiceTopics } from '../invoice/documents';
import { seededUniform } from '../invoice/failure-injection';

const SOURCES: readonly InvoiceSource[] = ['EMAIL', 'UPLOAD', 'EDI'];

/** `count` invoices of one run; the run id keeps ids (and so event ids) apart from other runs on the same Redis. */
export function demoInvoices(runId: string, count: number, receivedAt: number = Date.now()): InvoiceReceived[] {
  return Array.from({ length: count }, (_, i) => {
    const invoiceId = `inv-${runId}-${String(i + 1).padStart(5, '0')}`;
    const source = SOURCES[Math.floor(seededUniform('source', invoiceId) * SOURCES.length)]!;
    return {
      invoiceId,
      source,
      documentUri: `s3://invoice-inbox/${runId}/${invoiceId}.pdf`,
      contentType: source === 'EDI' ? 'application/edifact' : 'application/pdf',
      receivedAt: receivedAt + i,
      senderEmail: source === 'EMAIL' ? `billing+${i % 7}@supplier.example` : null,
    };
  });
}

/** The event id an invoice is published with: derived from the invoice id, so a re-publish is recognised as the same event. */
export function receivedEventId(invoiceId: string): string {
  return deriveEventId(`publish:${invoiceId}`, InvoiceTopics.received, 0);
}

/** Publishes the invoices to invoices.received, Avro-encoded through the registry, keyed by invoice id. */
export async function publishInvoices(producer: Producer, codec: EventCodec, invoices: readonly InvoiceReceived[], batchSize = 100): Promise<void> {
  for (let start = 0; start < invoices.length; start += batchSize) {
    const batch = invoices.slice(start, start + batchSize);
    const messages = await Promise.all(
      batch.map(async (invoice) => {
        const eventId = receivedEventId(invoice.invoiceId);
        return { key: invoice.invoiceId, value: await codec.encode(InvoiceTopics.received, invoice), headers: { [Header.eventId]: eventId, [Header.correlationId]: eventId } };
      }),
    );
    await producer.send({ topic: InvoiceTopics.received, acks: -1, messages });
  }
}
