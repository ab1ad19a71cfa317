/** Figures as the report's sentences show them. */

/** One decimal under 10 %, where a whole percent would hide the difference between 0.4 % and none. */
export const percent = (share: number): string =>
  `${share < 0.1 ? (share * 100).toFixed(1) : Math.round(share * 100)} %`;

export const kwh = (value: number): string => `${value.toFixed(2)} kWh`;

/** Two decimals, or two significant figures for amounts under a cent. */
export const money = (value: number, currency: string): string =>
  `${value > 0 && value < 0.01 ? value.toPrecision(2) : value.toFixed(2)} ${currency}`;
