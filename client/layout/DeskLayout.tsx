import { Layout, type LayoutProps } from 'react-admin';
import { DeskAppBar } from './DeskAppBar.tsx';
import { DeskMenu } from './DeskMenu.tsx';

export const DeskLayout = ({ children }: LayoutProps) => (
  <Layout appBar={DeskAppBar} menu={DeskMenu}>
    {children}
  </Layout>
);
