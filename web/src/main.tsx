import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/errors';
import { applyAppearance } from './lib/appearance';
import { createAppRouter } from './router';
import './styles.css';

applyAppearance(); // before the first render, so a dark choice never flashes light

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Retry once, quickly, only when the server could not be reached or failed: a 4xx
      // will not change, and a person waiting on an error state should not wait long.
      retry: (failures, error) => failures < 1 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
      retryDelay: 500,
      refetchOnWindowFocus: false,
    },
  },
});

const router = createAppRouter(queryClient);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
