import { Layout, type LayoutProps } from 'react-admin';
import { PasswordChangeGate } from '../account/PasswordChangeGate.tsx';
import { DeskAppBar } from './DeskAppBar.tsx';
import { DeskMenu } from './DeskMenu.tsx';
import { StudioDeliveryBanner } from './StudioDeliveryBanner.tsx';

export const DeskLayout = ({ children }: LayoutProps) => (
  <PasswordChangeGate>
    <Layout appBar={DeskAppBar} menu={DeskMenu}>
      <StudioDeliveryBanner />
      {children}
    </Layout>
  </PasswordChangeGate>
);
