/**
 * IPv4 CIDR arithmetic for the reachability model and the awsx VPC mock. Pure; IPv6 blocks are
 * recognised (so rules can be skipped for IPv4 flows) but not computed with.
 */

export interface Cidr {
    /** Network address as an unsigned 32-bit number. */
    base: number;
    prefix: number;
}

export const ANYWHERE_V4 = "0.0.0.0/0";

export function isIpv6(cidr: string): boolean {
    return cidr.includes(":");
}

function addressToNumber(address: string, where: string): number {
    const parts = address.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
        throw new Error(`${where}: ${JSON.stringify(address)} is not an IPv4 address`);
    }
    return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToAddress(n: number): string {
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** "10.0.0.0/16" (or a bare address, as /32) → { base, prefix }; the base is masked to the prefix. */
export function parseCidr(cidr: string, where = "CIDR"): Cidr {
    const [address, bits] = cidr.split("/");
    const prefix = bits === undefined ? 32 : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`${where}: ${JSON.stringify(cidr)} has no valid prefix length`);
    const size = 2 ** (32 - prefix);
    return { base: Math.floor(addressToNumber(address, where) / size) * size, prefix };
}

export function formatCidr(c: Cidr): string {
    return `${numberToAddress(c.base)}/${c.prefix}`;
}

export function size(c: Cidr): number {
    return 2 ** (32 - c.prefix);
}

export function last(c: Cidr): number {
    return c.base + size(c) - 1;
}

/** The block of `prefix` bits that holds `address`. */
export function blockOf(address: number, prefix: number): Cidr {
    const s = 2 ** (32 - prefix);
    return { base: Math.floor(address / s) * s, prefix };
}

/** Does `outer` contain every address of `inner`? */
export function contains(outer: string, inner: string): boolean {
    if (isIpv6(outer) || isIpv6(inner)) return false;
    const o = parseCidr(outer);
    const i = parseCidr(inner);
    return i.base >= o.base && last(i) <= last(o);
}

export function overlaps(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    return x.base <= last(y) && y.base <= last(x);
}
