import { Box, Card, CardContent, Typography } from '@mui/material';
import { Fact, FactList } from '../display/Fact.tsx';
import { TicketRef } from '../display/TicketRef.tsx';
import type { ReportedTime } from '../display/zonedTime.ts';
import type { TicketContext } from '../lookup/ticketContext.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';

const CustomerWords = ({ term, text }: { term: string; text: string | undefined }) =>
  text ? (
    <Fact term={term}>
      <Box component="span" sx={{ whiteSpace: 'pre-wrap', display: 'block', maxHeight: '7.5em', overflowY: 'auto' }}>
        {text}
      </Box>
    </Fact>
  ) : null;

/**
 * What the helpdesk link said about the ticket: its reference (a link back to it when the
 * helpdesk is configured), when the customer says it happened, what they expected and received.
 * These also go to the credit form when a run is credited from here.
 */
export const TicketPanel = ({ ticket, reported }: { ticket: TicketContext; reported: ReportedTime | null }) => {
  if (!ticket.ticket && !ticket.at && !ticket.expected && !ticket.received) return null;
  return (
    <Card variant="outlined" component="section" aria-label="From the ticket">
      <CardContent>
        <Typography variant="subtitle2" component="h3" sx={{ mb: 1 }}>
          From the ticket
        </Typography>
        <FactList minWidth={220}>
          {ticket.ticket && (
            <Fact term="Ticket">
              <TicketRef reference={ticket.ticket} />
            </Fact>
          )}
          {ticket.at && (
            <Fact term="Reported time">
              {reported?.kind === 'instant' ? (
                <DateTimeText value={reported.iso} />
              ) : reported ? (
                `${reported.wall.replace('T', ' ')}, on the customer’s clock`
              ) : (
                `“${ticket.at}” (not a date and time this console can read)`
              )}
            </Fact>
          )}
          <CustomerWords term="Expected" text={ticket.expected} />
          <CustomerWords term="Received" text={ticket.received} />
        </FactList>
      </CardContent>
    </Card>
  );
};
