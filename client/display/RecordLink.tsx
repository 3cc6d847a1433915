import { Link } from 'react-admin';
import { showPath } from '../lookup/lookupModel.ts';

type Linkable = Parameters<typeof showPath>[0];

/** A record's id as a link to its page, kept on one line; a dash when there is none. */
export const RecordLink = ({ resource, id }: { resource: Linkable; id: string | null | undefined }) =>
  id ? (
    <Link to={showPath(resource, id)} sx={{ whiteSpace: 'nowrap' }}>
      {id}
    </Link>
  ) : (
    <span>—</span>
  );
