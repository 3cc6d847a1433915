import { List, Pagination, TextInput } from 'react-admin';
import { ChatsTable } from './ChatsTable.tsx';

const filters = [<TextInput key="customer_id" source="customer_id" label="Customer id" alwaysOn />];

/** Every chat, newest first. To find one chat, paste its ID or URL into the lookup box. */
export const ChatList = () => (
  <List
    filters={filters}
    sort={{ field: 'created_at', order: 'DESC' }}
    perPage={25}
    exporter={false}
    empty={false}
    pagination={<Pagination rowsPerPageOptions={[25, 50, 100]} />}
  >
    <ChatsTable
      showCustomer
      empty={{ title: 'No chats match.', hint: 'To open one chat, paste its ID or URL into the lookup box (press /).' }}
    />
  </List>
);
