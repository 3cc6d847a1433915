import { ListBase, Pagination } from 'react-admin';
import { ListLoadError } from '../display/ListLoadError.tsx';
import { AuditTable } from './AuditTable.tsx';

/**
 * The audit events of one record of one customer, oldest first. The customer filter is what lets
 * an agent read it too (agents read one customer's trail, never the whole log).
 */
export const AuditTrail = ({ entityId, customerId }: { entityId: string; customerId: string }) => (
  <ListBase
    resource="audit"
    filter={{ customer_id: customerId, entity_id: entityId }}
    sort={{ field: 'at', order: 'ASC' }}
    perPage={50}
    disableSyncWithLocation
    storeKey={false}
  >
    <ListLoadError what="the audit trail">
      <AuditTable compact empty={{ title: 'No audit event for this record yet.', hint: 'Every change to a credit writes one.' }} />
      <Pagination rowsPerPageOptions={[50, 100]} />
    </ListLoadError>
  </ListBase>
);
