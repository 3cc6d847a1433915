import { Layout, type LayoutProps } from 'react-admin';
import { PasswordChangeGate } from '../account/PasswordChangeGate.tsx';
import { DeskAppBar } from './DeskAppBar.tsx';
import { DeskMenu } from './DeskMenu.tsx';
import { StudioDeliveryBanner } from './StudioDeliveryBanner.tsx';
import { useSidebarFitsWindow } from './useSidebarFitsWindow.ts';

/** The console's shell: app bar, menu, the delivery banner; the sidebar collapses on narrow windows. */
export const DeskLayout = ({ children }: LayoutProps) => {
  useSidebarFitsWindow();
  return (
    <PasswordChangeGate>
      <Layout appBar={DeskAppBar} menu={DeskMenu}>
        <StudioDeliveryBanner />
        {children}
      </Layout>
    </PasswordChangeGate>
  );
};
