import Password from '@mui/icons-material/Password';
import { ListItemIcon, ListItemText, MenuItem } from '@mui/material';
import { Link, useUserMenu } from 'react-admin';
import { changePasswordPath } from './accountModel.ts';

/** "Change password" in the user menu (top right). */
export const ChangePasswordMenuItem = () => {
  const userMenu = useUserMenu();
  return (
    <MenuItem component={Link} to={changePasswordPath} onClick={() => userMenu?.onClose()}>
      <ListItemIcon>
        <Password fontSize="small" />
      </ListItemIcon>
      <ListItemText>Change password</ListItemText>
    </MenuItem>
  );
};
