import type { InvoiceExtracted, InvoiceLine, MatchResult } from '@agentmesh/schema-registry';
import { seededUniform } from './failure-injection';

/**
 * Stand-ins for the outside world of the invoice pipeline (the document
 * store, the OCR engine, the ERP's purchase orders). Everything is derived
 * from the invoice id, so every agent, process and re-run agrees on it.
 */

export const InvoiceTopics = {
  received: 'invoices.received',
  extracted: 'invoices.extracted',
  validated: 'invoices.validated',
  matched: 'invoices.matched',
  posted: 'invoices.posted',
} as const;

/** The pipeline's topics in flow order. */
export const INVOICE_TOPICS: readonly string[] = Object.values(InvoiceTopics);

/** Header on a fallback match: JSON array of purchase orders a clerk might pick. */
export const SUGGESTED_CANDIDATES_HEADER = 'invoice-po-candidates';

const SUPPLIERS = [
  { name: 'Nordlicht Bürobedarf GmbH', vatId: 'DE811907980' },
  { name: 'Atelier Lumière SARL', vatId: 'FR40303265045' },
  { name: 'Polder Logistics B.V.', vatId: 'NL803851595B01' },
  { name: 'Acme Industrial Supply Ltd', vatId: 'GB980780684' },
  { name: 'Costa Verde Embalagens Lda', vatId: 'PT501442600' },
  { name: 'Helsinki Data Oy', vatId: null },
] as const;

const ITEMS = ['A4 paper, 80 g, box of 5 reams', 'Toner cartridge, black', 'Pallet transport, zone 2', 'Maintenance hours', 'Safety gloves, size L', 'Cloud storage, 1 TB month'] as const;

function pick<T>(list: readonly T[], draw: number): T {
  return list[Math.min(list.length - 1, Math.floor(draw * list.length))]!;
}

/** A stable short hex token of the parts (ledger entry ids, purchase order numbers). */
function token(...parts: readonly string[]): string {
  return Math.floor(seededUniform('token', ...parts) * 0xffffffff)
    .toString(16)
    .padStart(8, '0')
    .toUpperCase();
}

/** What the (fake) OCR engine reads from the invoice's document. */
export function extractInvoice(invoiceId: string): InvoiceExtracted {
  const supplier = pick(SUPPLIERS, seededUniform('supplier', invoiceId));
  const lineCount = 1 + Math.floor(seededUniform('line-count', invoiceId) * 3);
  const lines: InvoiceLine[] = [];
  for (let i = 0; i < lineCount; i++) {
    lines.push({
      description: pick(ITEMS, seededUniform('item', invoiceId, i)),
      quantity: 1 + Math.floor(seededUniform('quantity', invoiceId, i) * 20),
      unitPriceMinor: 500 + Math.floor(seededUniform('price', invoiceId, i) * 49_500),
    });
  }
  // One invoice in ten quotes no purchase order; matching then has nothing to match against.
  const hasPurchaseOrder = seededUniform('has-po', invoiceId) >= 0.1;
  return {
    invoiceId,
    supplierName: supplier.name,
    supplierVatId: supplier.vatId,
    invoiceNumber: `INV-${token('invoice-number', invoiceId)}`,
    purchaseOrderNumber: hasPurchaseOrder ? purchaseOrderNumber(supplier.name, invoiceId) : null,
    currency: 'EUR',
    totalMinor: lines.reduce((sum, l) => sum + Math.round(l.quantity * l.unitPriceMinor), 0),
    lines,
    confidence: 0.9 + seededUniform('confidence', invoiceId) * 0.1,
  };
}

function purchaseOrderNumber(supplierName: string, reference: string): string {
  return `PO-${token('po', supplierName, reference)}`;
}

/** The business rules the validation agent applies; empty means valid. */
export function validationProblems(invoice: InvoiceExtracted): string[] {
  const problems: string[] = [];
  if (!/^[A-Z]{3}$/.test(invoice.currency)) problems.push(`currency '${invoice.currency}' is not an ISO 4217 code`);
  if (invoice.lines.length === 0) problems.push('the invoice has no lines');
  for (const [i, line] of invoice.lines.entries()) {
    if (!(line.quantity > 0)) problems.push(`line ${i + 1}: quantity must be positive`);
    if (line.unitPriceMinor < 0) problems.push(`line ${i + 1}: unit price must not be negative`);
  }
  const sum = invoice.lines.reduce((s, l) => s + Math.round(l.quantity * l.unitPriceMinor), 0);
  if (sum !== invoice.totalMinor) problems.push(`total ${invoice.totalMinor} differs from the sum of the lines ${sum}`);
  if (invoice.confidence < 0.5) problems.push(`extraction confidence ${invoice.confidence.toFixed(2)} is too low to trust`);
  return problems;
}

export interface PurchaseOrderMatch {
  purchaseOrderNumber: string | null;
  match: MatchResult;
  varianceMinor: number;
}

/** Three-way match against the (fake) ERP: most match exactly, some differ a little, invoices without a PO do not match. */
export function matchPurchaseOrder(invoice: InvoiceExtracted): PurchaseOrderMatch {
  if (invoice.purchaseOrderNumber === null) return { purchaseOrderNumber: null, match: 'UNMATCHED', varianceMinor: 0 };
  const draw = seededUniform('po-variance', invoice.invoiceId);
  if (draw < 0.85) return { purchaseOrderNumber: invoice.purchaseOrderNumber, match: 'MATCHED', varianceMinor: 0 };
  const varianceMinor = Math.round(invoice.totalMinor * 0.02 * seededUniform('po-variance-size', invoice.invoiceId));
  return { purchaseOrderNumber: invoice.purchaseOrderNumber, match: 'PARTIAL', varianceMinor };
}

/** Open purchase orders of the invoice's supplier a clerk could match by hand, from a local cache (no ERP call). */
export function suggestedCandidates(invoice: InvoiceExtracted): string[] {
  const candidates = [0, 1, 2].map((i) => purchaseOrderNumber(invoice.supplierName, `open-${i}`));
  return invoice.purchaseOrderNumber === null ? candidates : [invoice.purchaseOrderNumber, ...candidates.slice(0, 2)];
}

/** The ledger entry of an invoice: derived from its id, so posting twice would be visible as the same entry. */
export function ledgerEntryId(invoiceId: string): string {
  return `LE-${token('ledger', invoiceId)}`;
}
