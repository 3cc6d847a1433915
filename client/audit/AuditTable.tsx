import { Button, Typography } from '@mui/material';
import { lazy, Suspense } from 'react';
import { DataTable, Link, useExpanded, usePermissions, useResourceContext } from 'react-admin';
import type { AuditRecord } from '../../shared/audit.ts';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { RecordLink } from '../display/RecordLink.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { creditShowPath } from '../credits/creditPaths.ts';
import { auditActionLabel, auditActorLabel, auditEntityTypeLabel } from './auditModel.ts';

// The before/after table loads when a row is first expanded.
const AuditDiffPanel = lazy(() => import('./AuditDiff.tsx').then(module => ({ default: module.AuditDiffPanel })));

const ExpandedDiff = () => (
  <Suspense fallback={<Typography color="text.secondary">Loading the changes…</Typography>}>
    <AuditDiffPanel />
  </Suspense>
);

const Entity = ({ event }: { event: AuditRecord }) => {
  const type = auditEntityTypeLabel(event.entity_type);
  if (!event.entity_id) return <span>{type}</span>;
  if (event.entity_type === 'credit') {
    return (
      <span>
        {type} <Link to={creditShowPath(event.entity_id)}>{event.entity_id}</Link>
      </span>
    );
  }
  return (
    <span>
      {type} {event.entity_id}
    </span>
  );
};

/** The event's id, opening its page for those who may read it (leads and admins; agents see a customer's trail only). */
const EventId = ({ event }: { event: AuditRecord }) => {
  const { permissions: role } = usePermissions<Role>();
  return role && isLeadOrAdmin(role) ? <Link to={`/audit/${event.id}/show`}>{event.id}</Link> : <span>{event.id}</span>;
};

/** The keyboard's way to the before/after table: react-admin's own expand toggle is kept out of the tab order. */
const ChangesToggle = ({ event }: { event: AuditRecord }) => {
  const resource = useResourceContext() ?? 'audit';
  const [expanded, toggle] = useExpanded(resource, event.id);
  return (
    <Button size="small" onClick={toggle} aria-expanded={expanded} aria-label={`${expanded ? 'Hide' : 'Show'} the changes of event ${event.id}`}>
      {expanded ? 'Hide' : 'Show'}
    </Button>
  );
};

/**
 * Audit events in the surrounding list context; expand a row for its before/after values.
 * `compact` leaves out the entity and customer (a record's own trail).
 */
export const AuditTable = ({ compact = false, empty }: { compact?: boolean; empty: { title: string; hint: string } }) => (
  <TableFrame>
    <DataTable<AuditRecord> bulkActionButtons={false} rowClick={false} expand={<ExpandedDiff />} empty={<EmptyState {...empty} />}>
      <DataTable.Col<AuditRecord> source="at" label="When" render={event => <DateTimeText value={event.at} noWrap />} />
      <DataTable.Col<AuditRecord> source="id" label="Event" disableSort render={event => <EventId event={event} />} />
      <DataTable.Col<AuditRecord> label="Changes" disableSort render={event => <ChangesToggle event={event} />} />
      <DataTable.Col<AuditRecord> source="actor_id" label="Who" disableSort render={event => <span title={event.actor_id} style={{ whiteSpace: 'nowrap' }}>{auditActorLabel(event)}</span>} />
      <DataTable.Col<AuditRecord> source="action" label="Action" disableSort render={event => auditActionLabel(event.action)} />
      {!compact && <DataTable.Col<AuditRecord> source="entity_type" label="On" disableSort render={event => <Entity event={event} />} />}
      {!compact && (
        <DataTable.Col<AuditRecord>
          source="customer_id"
          label="Customer"
          disableSort
          render={event => <RecordLink resource="customers" id={event.customer_id} />}
        />
      )}
      <DataTable.Col<AuditRecord> source="reason" label="Reason" disableSort render={event => event.reason ?? '—'} />
    </DataTable>
  </TableFrame>
);
