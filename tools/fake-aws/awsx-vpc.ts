/**
 * What `awsx.ec2.Vpc` creates inside itself, computed from its inputs, so the mock engine can answer
 * the remote component with the subnets, route tables, routes, NAT gateways and internet gateway the
 * real component would create (under the mock it registers as one resource, its children unseen).
 *
 * Read from awsx 3.x (https://github.com/pulumi/pulumi-awsx, awsx/ec2/vpc.ts and
 * subnetDistributorNew.ts) and its documented enums
 * (https://www.pulumi.com/docs/reference/pkg/nodejs/pulumi/awsx/variables/ec2.NatGatewayStrategy-1.html):
 * - with `subnetStrategy: "Auto"` the VPC is cut into one block per AZ (`ceil(log2(AZs))` more prefix
 *   bits); inside each AZ block the specs are laid out in the order given, each aligned to its own
 *   size right after the previous one (so a small subnet followed by a big one leaves a gap);
 *   overlapping subnets are an error ("The following subnets overlap …");
 * - every subnet gets its own route table; public ones route 0.0.0.0/0 to the internet gateway,
 *   private ones to a NAT gateway (`OnePerAz`: the one in their AZ; `Single`: the first), isolated
 *   ones have no default route;
 * - NAT gateways sit in the public subnets (one per AZ, or only the first), using
 *   `natGateways.elasticIpAllocationIds[i]` when given (one per NAT gateway) or an EIP of their own.
 */
import { blockOf, formatCidr, last, overlaps, parseCidr, size, type Cidr } from "../reachability/cidr";

export type SubnetType = "Public" | "Private" | "Isolated" | "Unused";

export interface AwsxVpcInputs {
    cidrBlock?: string;
    numberOfAvailabilityZones?: number;
    subnetStrategy?: string;
    subnetSpecs?: { type: SubnetType; cidrMask?: number; name?: string }[];
    natGateways?: { strategy?: string; elasticIpAllocationIds?: string[] };
}

export interface LaidOutSubnet {
    name: string;
    type: Exclude<SubnetType, "Unused">;
    cidrBlock: string;
    azIndex: number;
}

/** The subnets awsx's "Auto" strategy lays out; throws as awsx does when they overlap or do not fit. */
export function awsxSubnetLayout(vpcName: string, inputs: AwsxVpcInputs): LaidOutSubnet[] {
    const vpc = parseCidr(inputs.cidrBlock ?? "10.0.0.0/16", `awsx VPC ${vpcName}: cidrBlock`);
    const azs = inputs.numberOfAvailabilityZones ?? 3;
    const strategy = inputs.subnetStrategy ?? "Legacy";
    const specs = inputs.subnetSpecs;
    if (strategy !== "Auto" || !specs || specs.some((s) => s.cidrMask === undefined)) {
        // Only the strategy this program uses is modelled; anything else would be a guess.
        throw new Error(`awsx VPC ${vpcName}: the mock models subnetStrategy "Auto" with a cidrMask on every subnet spec only`);
    }
    const azPrefix = vpc.prefix + Math.ceil(Math.log2(azs));
    const azSize = 2 ** (32 - azPrefix);
    const needed = specs.reduce((n, s) => n + 2 ** (32 - s.cidrMask!), 0);
    if (needed > azSize) throw new Error(`awsx VPC ${vpcName}: Subnets are too large for VPC. VPC has ${azSize} addresses, but subnets require ${needed} addresses.`);
    const out: LaidOutSubnet[] = [];
    for (let az = 0; az < azs; az++) {
        const azBase = vpc.base + az * azSize;
        let previous: Cidr | undefined;
        for (const spec of specs) {
            // The first spec starts the AZ block; each next one starts after the block of its own size
            // that holds the previous subnet's last address.
            const holding = previous && blockOf(last(previous), spec.cidrMask!);
            const block: Cidr = holding ? { base: holding.base + size(holding), prefix: spec.cidrMask! } : blockOf(azBase, spec.cidrMask!);
            previous = block;
            if (spec.type === "Unused") continue;
            out.push({ name: `${vpcName}-${spec.name ?? spec.type.toLowerCase()}-${az + 1}`, type: spec.type, cidrBlock: formatCidr(block), azIndex: az });
        }
    }
    const overlapping = out.filter((a) => out.some((b) => a !== b && overlaps(a.cidrBlock, b.cidrBlock)));
    if (overlapping.length) {
        throw new Error(`awsx VPC ${vpcName}: The following subnets overlap with at least one other subnet: ` +
            overlapping.map((s) => `${s.name}: ${s.cidrBlock}`).join(", "));
    }
    return out;
}

export interface AwsxVpcState {
    vpcId: string;
    vpc: { id: string; cidrBlock: string };
    subnets: { id: string; vpcId: string; cidrBlock: string; availabilityZone: string; mapPublicIpOnLaunch: boolean; tags: Record<string, string> }[];
    publicSubnetIds: string[];
    privateSubnetIds: string[];
    isolatedSubnetIds: string[];
    routeTables: { id: string; vpcId: string; tags: Record<string, string> }[];
    routeTableAssociations: { id: string; routeTableId: string; subnetId: string }[];
    routes: { id: string; routeTableId: string; destinationCidrBlock: string; gatewayId?: string; natGatewayId?: string }[];
    natGateways: { id: string; subnetId: string; allocationId: string; publicIp: string; connectivityType: "public" }[];
    eips: { id: string; allocationId: string; publicIp: string }[];
    internetGateway: { id: string; vpcId: string };
}

export interface LayoutIds {
    /** A stable hex string for a key (the mock's hash). */
    hash(key: string, len: number): string;
    /** Public address of an Elastic IP allocation (the mock's Eip answers the same). */
    eipAddress(allocationId: string): string;
    azNames: string[];
}

/** The state the mock returns for an `awsx:ec2:Vpc` named `name`. */
export function awsxVpcState(name: string, inputs: AwsxVpcInputs, ids: LayoutIds): AwsxVpcState {
    const layout = awsxSubnetLayout(name, inputs);
    const vpcId = `vpc-${ids.hash(name, 17)}`;
    const strategy = (inputs.natGateways?.strategy ?? "OnePerAz").toLowerCase();
    const azs = inputs.numberOfAvailabilityZones ?? 3;
    const given = inputs.natGateways?.elasticIpAllocationIds ?? [];
    const natCount = strategy === "none" ? 0 : strategy === "single" ? 1 : azs;
    if (given.length && given.length !== natCount) {
        throw new Error(`awsx VPC ${name}: ${given.length} Elastic IP allocation ids for ${natCount} NAT gateway(s) (strategy ${inputs.natGateways?.strategy})`);
    }
    // Subnet ids keep the mock's earlier shape (subnet-pub…, subnet-prv…, subnet-iso…, per AZ).
    const kind = { Public: "pub", Private: "prv", Isolated: "iso" } as const;
    const subnetId = (s: LaidOutSubnet) => `subnet-${kind[s.type]}${ids.hash(name + kind[s.type] + s.azIndex, 10)}`;
    const state: AwsxVpcState = {
        vpcId,
        vpc: { id: vpcId, cidrBlock: inputs.cidrBlock ?? "10.0.0.0/16" },
        subnets: [],
        publicSubnetIds: [],
        privateSubnetIds: [],
        isolatedSubnetIds: [],
        routeTables: [],
        routeTableAssociations: [],
        routes: [],
        natGateways: [],
        eips: [],
        internetGateway: { id: `igw-${ids.hash(name + "igw", 17)}`, vpcId },
    };
    for (const s of layout) {
        const id = subnetId(s);
        state.subnets.push({ id, vpcId, cidrBlock: s.cidrBlock, availabilityZone: ids.azNames[s.azIndex], mapPublicIpOnLaunch: s.type === "Public", tags: { Name: s.name, SubnetType: s.type } });
        ({ Public: state.publicSubnetIds, Private: state.privateSubnetIds, Isolated: state.isolatedSubnetIds })[s.type].push(id);
        const rtb = `rtb-${ids.hash(s.name, 17)}`;
        state.routeTables.push({ id: rtb, vpcId, tags: { Name: s.name, SubnetType: s.type } });
        state.routeTableAssociations.push({ id: `rtbassoc-${ids.hash(s.name, 17)}`, routeTableId: rtb, subnetId: id });
        if (s.type === "Public" && state.natGateways.length < natCount && state.natGateways.length === s.azIndex) {
            let allocationId = given[s.azIndex];
            if (!allocationId) {
                allocationId = `eipalloc-${ids.hash(`${name}-${s.azIndex + 1}`, 17)}`;
                state.eips.push({ id: allocationId, allocationId, publicIp: ids.eipAddress(allocationId) });
            }
            state.natGateways.push({ id: `nat-${ids.hash(`${name}-${s.azIndex + 1}`, 17)}`, subnetId: id, allocationId, publicIp: ids.eipAddress(allocationId), connectivityType: "public" });
        }
    }
    // Routes after the NAT gateways exist (awsx creates public subnets first in each AZ).
    for (const s of layout) {
        const rtb = `rtb-${ids.hash(s.name, 17)}`;
        if (s.type === "Public") {
            state.routes.push({ id: `r-${rtb}-default`, routeTableId: rtb, destinationCidrBlock: "0.0.0.0/0", gatewayId: state.internetGateway.id });
        } else if (s.type === "Private" && natCount > 0) {
            const nat = state.natGateways[strategy === "single" ? 0 : s.azIndex];
            state.routes.push({ id: `r-${rtb}-default`, routeTableId: rtb, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
        }
    }
    return state;
}
