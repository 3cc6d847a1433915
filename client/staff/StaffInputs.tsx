import { RadioButtonGroupInput } from 'react-admin';
import { roles } from '../../shared/roles.ts';
import { staffRoleDuties, staffRoleLabels } from './staffModel.ts';

/** The role, each choice with what it allows (creating and editing an account share it). */
export const RoleInput = () => (
  <RadioButtonGroupInput
    source="role"
    label="Role"
    row={false}
    choices={roles.map(role => ({ id: role, name: `${staffRoleLabels[role]} — ${staffRoleDuties[role]}` }))}
  />
);
