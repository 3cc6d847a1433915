import { Alert, Box, Card, CardContent, Skeleton, Stack, Typography } from '@mui/material';
import { useMemo, useState } from 'react';
import { ListBase, Pagination, Show, useGetOne, useRecordContext } from 'react-admin';
import { useParams } from 'react-router-dom';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { CustomerTimes, TimesOnToggle } from '../display/displayTimeZone.tsx';
import { formatTokens, isKnownTimeZone, viewerTimeZone } from '../display/format.ts';
import { ListLoadError } from '../display/ListLoadError.tsx';
import { Section } from '../display/Section.tsx';
import { readReportedTime } from '../display/zonedTime.ts';
import { CustomerHeader } from '../customers/CustomerHeader.tsx';
import { RunsTable } from '../generations/RunsTable.tsx';
import { useTicketContext } from '../lookup/useTicketContext.ts';
import type { ChatRecord, CustomerRecord } from '../../shared/records.ts';
import { LedgerTable } from '../transactions/LedgerTable.tsx';
import { nearTimeFilters, nearTimeRange, reportedWallTime, type NearTimeWindow, type ReportedClock } from './chatModel.ts';
import { NearTimeFilter } from './NearTimeFilter.tsx';
import { TicketPanel } from './TicketPanel.tsx';

const ChatCustomer = ({ customerId }: { customerId: string }) => {
  const { data: customer, isPending, error } = useGetOne<CustomerRecord>('customers', { id: customerId });
  if (isPending) return <Skeleton variant="rounded" height={96} aria-label="Loading the customer" />;
  if (error || !customer) {
    return <Alert severity="error">Could not load customer {customerId}: {error instanceof Error ? error.message : 'not found'}.</Alert>;
  }
  return <CustomerHeader customer={customer} linkToCustomer />;
};

/** What the agent set in "near a time"; `reported` undefined means "as the ticket says". */
interface NearTimeChoice {
  reported?: string | null;
  window: NearTimeWindow;
  clock: ReportedClock | null;
}

/**
 * The chat review — where a chat lookup lands: who the customer is, the chat's runs in time order
 * with their refund states and outputs, and the chat's ledger entries, optionally narrowed to the
 * time the customer reported. Opened from a helpdesk link, it shows the ticket's context, starts
 * narrowed to the ticket's time, and passes the context on to a credit.
 */
const ChatReview = ({ chatId }: { chatId: string }) => {
  const record = useRecordContext<ChatRecord>();
  const chat = record?.id === chatId ? record : undefined;
  const ticket = useTicketContext();
  const reportedByTicket = useMemo(() => readReportedTime(ticket.at), [ticket.at]);
  const customerQuery = useGetOne<CustomerRecord>('customers', { id: chat?.customer_id ?? '' }, { enabled: Boolean(chat) });
  const customer = customerQuery.data;
  const customerTimeZone = isKnownTimeZone(customer?.time_zone) ? customer.time_zone : null;
  const agentTimeZone = useMemo(viewerTimeZone, []);
  const [nearTime, setNearTime] = useState<NearTimeChoice>({ window: '1h', clock: null });

  // Customers report times on their own clock: read it there unless the agent says otherwise.
  const clock = nearTime.clock ?? (customerTimeZone ? 'customer' : 'agent');
  const zone = clock === 'customer' && customerTimeZone ? customerTimeZone : agentTimeZone;
  const reported = nearTime.reported === undefined ? reportedWallTime(reportedByTicket, zone) : nearTime.reported;
  const range = reported ? nearTimeRange(reported, nearTime.window, zone) : null;
  const filters = nearTimeFilters(range);
  // A ticket's time on the customer's clock needs their zone: the lists wait for it rather than
  // load the whole chat, or the wrong hour, first.
  const waitingForZone = reportedByTicket?.kind === 'wall' && nearTime.reported === undefined && customerQuery.isPending;

  return (
    <CustomerTimes customerTimeZone={customer?.time_zone}>
      <Stack spacing={3}>
        <Card variant="outlined">
          <CardContent>
            {chat ? <ChatCustomer customerId={chat.customer_id} /> : <Skeleton variant="rounded" height={96} aria-label="Loading the chat" />}
          </CardContent>
        </Card>
        <TicketPanel ticket={ticket} reported={reportedByTicket} />
        <Stack direction="row" spacing={2} useFlexGap sx={{ justifyContent: 'space-between', alignItems: 'flex-end', flexWrap: 'wrap' }}>
          {chat ? (
            <Box sx={{ minWidth: 0 }}>
              <Typography variant="h5" component="h2" sx={{ overflowWrap: 'anywhere' }}>
                {chat.title || 'Untitled chat'}
              </Typography>
              <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
                Chat {chat.id} · started <DateTimeText value={chat.created_at} /> · {formatTokens(chat.generation_count)}{' '}
                {chat.generation_count === 1 ? 'run' : 'runs'}
              </Typography>
            </Box>
          ) : (
            <Skeleton variant="text" width={320} height={56} />
          )}
          <TimesOnToggle customerTimeZone={customer?.time_zone} />
        </Stack>
        <NearTimeFilter
          value={{ reported, window: nearTime.window, clock }}
          onChange={({ reported: next, window, clock: nextClock }) =>
            setNearTime(current => ({
              window,
              clock: nextClock,
              // Changing only whose clock keeps following the ticket's time; editing the time takes over.
              reported: next === reported && current.reported === undefined ? undefined : next,
            }))
          }
          range={range}
          customerTimeZone={customerTimeZone}
          agentTimeZone={agentTimeZone}
          fromTicket={nearTime.reported === undefined && range !== null}
        />
        {waitingForZone ? (
          <Skeleton variant="rounded" height={160} aria-label="Loading the customer’s time zone" />
        ) : (
          <>
            <Section title="Runs">
              <ListBase
                resource="generations"
                filter={{ chat_id: chatId, ...filters.runs }}
                sort={{ field: 'started_at', order: 'ASC' }}
                perPage={50}
                disableSyncWithLocation
                storeKey={false}
              >
                <ListLoadError what="the runs">
                  <RunsTable
                    empty={
                      range
                        ? { title: 'No runs started in this window.', hint: 'Widen the window, or check whose clock the reported time is on.' }
                        : { title: 'This chat has no runs yet.', hint: 'Check the chat ID in the ticket, or look the customer up instead.' }
                    }
                  />
                  <Pagination rowsPerPageOptions={[25, 50, 100]} />
                </ListLoadError>
              </ListBase>
            </Section>
            <Section title="Ledger entries of this chat">
              <ListBase
                resource="transactions"
                filter={{ chat_id: chatId, ...filters.ledger }}
                sort={{ field: 'created_at', order: 'ASC' }}
                perPage={50}
                disableSyncWithLocation
                storeKey={false}
              >
                <ListLoadError what="the ledger entries">
                  <LedgerTable
                    empty={
                      range
                        ? { title: 'No ledger entries in this window.', hint: 'Widen the window to see the charges and refunds around it.' }
                        : { title: 'No ledger entries for this chat.', hint: 'Its runs charged nothing yet; the customer’s usage history shows every entry.' }
                    }
                  />
                  <Pagination rowsPerPageOptions={[25, 50, 100]} />
                </ListLoadError>
              </ListBase>
            </Section>
          </>
        )}
      </Stack>
    </CustomerTimes>
  );
};

const ChatTitle = () => {
  const chat = useRecordContext<ChatRecord>();
  return <span>Chat review{chat ? `: ${chat.title || chat.id}` : ''}</span>;
};

/**
 * The runs and the ledger need only the chat's id, which the address carries: they load beside the
 * chat rather than after it. Keyed by that id, so another chat's review starts empty instead of
 * showing the previous chat's rows while its own load.
 */
export const ChatShow = () => {
  const { id } = useParams<'id'>();
  return (
    <Show title={<ChatTitle />} actions={false}>
      <Box sx={{ p: 2 }}>{id ? <ChatReview key={id} chatId={id} /> : null}</Box>
    </Show>
  );
};
