export default async function Home() {
  const res = await fetch(`${process.env.API_URL}/products/`, { cache: "no-store" });
  const products: { id: number; name: string }[] = await res.json();
  return (
    <main>
      <h1>Shop</h1>
      <ul>{products.map((p) => <li key={p.id}>{p.name}</li>)}</ul>
    </main>
  );
}
