import { Layout, type LayoutProps } from 'react-admin';
import { DeskAppBar } from './DeskAppBar.tsx';

export const DeskLayout = ({ children }: LayoutProps) => <Layout appBar={DeskAppBar}>{children}</Layout>;
