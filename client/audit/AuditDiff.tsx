import { Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';
import type { AuditRecord } from '../../shared/audit.ts';
import { diffAudit, type AuditChange } from './auditModel.ts';

const changeWords: Record<AuditChange['change'], string> = { added: 'added', removed: 'removed', changed: 'changed', same: 'unchanged' };

/** An event's before and after as a small table of the keys that changed (or all keys, with `includeSame`). */
export const AuditDiff = ({ event, includeSame = false }: { event: Pick<AuditRecord, 'id' | 'before' | 'after' | 'reason'>; includeSame?: boolean }) => {
  const rows = diffAudit(event.before, event.after, includeSame);
  return (
    <>
      {event.reason && (
        <Typography variant="body2" sx={{ mb: 1 }}>
          Reason given: {event.reason}
        </Typography>
      )}
      {rows.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          This event recorded no values.
        </Typography>
      ) : (
        <Table size="small" aria-label={`Changes of event ${event.id}`}>
          <TableHead>
            <TableRow>
              <TableCell>Field</TableCell>
              <TableCell>Before</TableCell>
              <TableCell>After</TableCell>
              <TableCell>Change</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(row => (
              <TableRow key={row.key}>
                <TableCell sx={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }}>{row.key}</TableCell>
                <TableCell sx={{ overflowWrap: 'anywhere', color: row.change === 'changed' || row.change === 'removed' ? 'error.main' : undefined }}>
                  {row.before}
                </TableCell>
                <TableCell sx={{ overflowWrap: 'anywhere', color: row.change === 'changed' || row.change === 'added' ? 'success.dark' : undefined }}>
                  {row.after}
                </TableCell>
                <TableCell>{changeWords[row.change]}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
};

/** The expand panel of an audit row (lazy-loaded with the diff). */
export const AuditDiffPanel = () => {
  const event = useRecordContext<AuditRecord>();
  return event ? <AuditDiff event={event} /> : null;
};
