import { DataTable, Link } from 'react-admin';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { showPath } from '../lookup/lookupModel.ts';
import type { ChatRecord } from '../../shared/records.ts';

/** Chats in the surrounding list context; each title opens its review. */
export const ChatsTable = ({ empty, showCustomer = false }: { empty: { title: string; hint: string }; showCustomer?: boolean }) => (
  <TableFrame>
    <DataTable<ChatRecord> bulkActionButtons={false} rowClick={false} empty={<EmptyState {...empty} />}>
      <DataTable.Col<ChatRecord> source="created_at" label="Started" render={chat => <DateTimeText value={chat.created_at} noWrap />} />
      <DataTable.Col<ChatRecord>
        source="title"
        label="Chat"
        disableSort
        render={chat => <Link to={showPath('chats', chat.id)}>{chat.title || `Untitled chat ${chat.id}`}</Link>}
      />
      <DataTable.Col<ChatRecord> source="id" label="Chat ID" disableSort />
      {showCustomer && (
        <DataTable.Col<ChatRecord>
          source="customer_id"
          label="Customer"
          disableSort
          render={chat => <Link to={showPath('customers', chat.customer_id)}>{chat.customer_name ?? chat.customer_id}</Link>}
        />
      )}
      <DataTable.Col<ChatRecord> source="generation_count" label="Runs" align="right" disableSort render={chat => <TokenAmount value={chat.generation_count} />} />
    </DataTable>
  </TableFrame>
);
