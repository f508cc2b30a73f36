/** A card as the console names it: its brand and its last four digits (`visa ····4242`), and its expiry (`04/27`). */
export function CardLabel({ brand, last4 }: { brand: string | null; last4: string | null }) {
  return (
    <>
      <span className="brand-name">{brand}</span> ····{last4}
    </>
  );
}

/** `MM/YY`, or '' when the month or the year is unknown. */
export const cardExpiry = (month: number | null, year: number | null) =>
  month && year ? `${String(month).padStart(2, '0')}/${String(year).slice(-2)}` : '';
