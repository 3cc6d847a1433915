import { Box, Stack, Typography } from '@mui/material';
import { Link, Show, useRecordContext } from 'react-admin';
import type { AuditRecord } from '../../shared/audit.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { RecordLink } from '../display/RecordLink.tsx';
import { Fact, FactList } from '../display/Fact.tsx';
import { Section } from '../display/Section.tsx';
import { creditShowPath } from '../credits/creditPaths.ts';
import { AuditDiff } from './AuditDiff.tsx';
import { auditActionLabel, auditActorLabel, auditEntityTypeLabel } from './auditModel.ts';

/** One audit event: who did what, on what, from where, with every before and after value and its place in the chain. */
const AuditDetail = () => {
  const event = useRecordContext<AuditRecord>();
  if (!event) return null;
  return (
    <Stack spacing={3} sx={{ p: 2 }}>
      <Typography variant="h5" component="h2">
        {auditActionLabel(event.action)}
      </Typography>
      <FactList>
        <Fact term="When">
          <DateTimeText value={event.at} />
        </Fact>
        <Fact term="Who">
          {auditActorLabel(event)} ({event.actor_id})
        </Fact>
        <Fact term="Action">{event.action}</Fact>
        <Fact term="On">
          {auditEntityTypeLabel(event.entity_type)}{' '}
          {event.entity_type === 'credit' && event.entity_id ? (
            <Link to={creditShowPath(event.entity_id)}>{event.entity_id}</Link>
          ) : (
            event.entity_id
          )}
        </Fact>
        <Fact term="Customer"><RecordLink resource="customers" id={event.customer_id} /></Fact>
        <Fact term="Reason">{event.reason ?? '—'}</Fact>
        <Fact term="Request id">{event.request_id ?? '—'}</Fact>
        <Fact term="Client address">{event.client_ip ?? '—'}</Fact>
      </FactList>
      <Section title="Before and after">
        <AuditDiff event={event} includeSame />
      </Section>
      <Section title="Hash chain">
        <Box sx={{ fontFamily: 'monospace', fontSize: 13, overflowWrap: 'anywhere' }}>
          <div>previous: {event.prev_hash}</div>
          <div>this: {event.hash}</div>
        </Box>
      </Section>
    </Stack>
  );
};

const AuditTitle = () => {
  const event = useRecordContext<AuditRecord>();
  return <span>Audit event{event ? ` ${event.id}` : ''}</span>;
};

export const AuditShow = () => (
  <Show title={<AuditTitle />} actions={false}>
    <AuditDetail />
  </Show>
);
