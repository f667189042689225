import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ApiProvider, connect } from './api/context';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  const connection = connect();
  createRoot(root).render(
    <StrictMode>
      {'api' in connection ? (
        <ApiProvider api={connection.api}>
          <App />
        </ApiProvider>
      ) : (
        <main className="screen">
          <h1>Duet can’t reach its engine</h1>
          <div className="alert" role="alert">
            {connection.error}
          </div>
        </main>
      )}
    </StrictMode>,
  );
}
