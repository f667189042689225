export function App() {
  return (
    <main>
      <h1>Duet</h1>
      <p>Image-to-image translation studio.</p>
    </main>
  );
}
