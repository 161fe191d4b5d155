// Command schema-reader prints, as JSON, the argument schema of AWS provider resources as the provider's
// own Go source declares it: for each attribute its nesting, whether it is required, optional or
// computed, whether a change forces a replacement (SDKv2 `ForceNew`, Plugin Framework `RequiresReplace`
// plan modifiers, CustomizeDiff `ForceNew…` calls), the size limits of blocks, defaults and the simple
// validations (ranges, lengths, literal choices, enumerations, fields that exclude each other).
//
// It reads the source with go/parser and go/ast only: the provider is never built. Schemas the reader
// cannot follow (a helper in another package, a map assembled at run time) are reported as
// `unresolved`, never guessed.
//
// Usage: schema-reader -root <terraform-provider-aws module dir> aws_service_discovery_service …
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Attr is one attribute or nested block of a resource schema.
type Attr struct {
	Name          string       `json:"name"`
	Type          string       `json:"type,omitempty"`
	Required      bool         `json:"required,omitempty"`
	Optional      bool         `json:"optional,omitempty"`
	Computed      bool         `json:"computed,omitempty"`
	ForceNew      bool         `json:"forceNew,omitempty"`
	ForceNewIf    string       `json:"forceNewIf,omitempty"`
	MaxItems      int          `json:"maxItems,omitempty"`
	MinItems      int          `json:"minItems,omitempty"`
	Default       any          `json:"default,omitempty"`
	Validations   []Validation `json:"validations,omitempty"`
	ConflictsWith []string     `json:"conflictsWith,omitempty"`
	ExactlyOneOf  []string     `json:"exactlyOneOf,omitempty"`
	AtLeastOneOf  []string     `json:"atLeastOneOf,omitempty"`
	Deprecated    bool         `json:"deprecated,omitempty"`
	Sensitive     bool         `json:"sensitive,omitempty"`
	Children      []*Attr      `json:"children,omitempty"`
	Unresolved    string       `json:"unresolved,omitempty"`
	Line          int          `json:"line,omitempty"`
}

// Validation is one validation the reader recognised, e.g. {kind: "intBetween", min: 1, max: 10}.
type Validation struct {
	Kind   string   `json:"kind"`
	Min    *float64 `json:"min,omitempty"`
	Max    *float64 `json:"max,omitempty"`
	Values []string `json:"values,omitempty"`
	// Enum: the Go type of an AWS SDK enumeration (`awstypes.RoutingPolicy`) and its package path.
	EnumType    string `json:"enumType,omitempty"`
	EnumPackage string `json:"enumPackage,omitempty"`
	Pattern     string `json:"pattern,omitempty"`
}

// Resource is what the reader prints per resource.
type Resource struct {
	Resource      string   `json:"resource"`
	File          string   `json:"file"`
	Kind          string   `json:"kind"`
	Attrs         []*Attr  `json:"attrs"`
	CustomizeDiff []string `json:"customizeDiffForceNew,omitempty"`
	Unresolved    []string `json:"unresolved,omitempty"`
}

type pkg struct {
	dir     string
	fset    *token.FileSet
	files   map[string]*ast.File
	funcs   map[string]*ast.FuncDecl
	methods map[string]map[string]*ast.FuncDecl // receiver type → method name → decl
	values  map[string]ast.Expr                 // package-level var/const name → value
	structs map[string]*ast.StructType          // package-level struct types by name
	imports map[*ast.File]map[string]string     // file → local name → import path
}

var (
	root     string
	names    = map[string]string{} // names.AttrX → "x"
	packages = map[string]*pkg{}
)

func main() {
	flag.StringVar(&root, "root", "", "directory of the terraform-provider-aws module")
	flag.Parse()
	if root == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: schema-reader -root <terraform-provider-aws dir> <resource>…")
		os.Exit(2)
	}
	loadNames()
	index := annotationIndex()
	var out []*Resource
	failed := false
	for _, name := range flag.Args() {
		loc, ok := index[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "schema-reader: no @SDKResource or @FrameworkResource annotation for %s\n", name)
			failed = true
			continue
		}
		out = append(out, read(name, loc))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
	if failed {
		os.Exit(1)
	}
}

// ---- indexes -------------------------------------------------------------------------------------

func loadNames() {
	dir := filepath.Join(root, "names")
	fset := token.NewFileSet()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							v, _ := strconv.Unquote(lit.Value)
							names[n.Name] = v
						}
					}
				}
			}
		}
	}
}

type location struct {
	file string
	kind string // sdk | framework
}

var annotation = regexp.MustCompile(`@(SDKResource|FrameworkResource)\("([a-z0-9_]+)"`)

func annotationIndex() map[string]location {
	idx := map[string]location{}
	base := filepath.Join(root, "internal", "service")
	filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, m := range annotation.FindAllSubmatch(b, -1) {
			kind := "sdk"
			if string(m[1]) == "FrameworkResource" {
				kind = "framework"
			}
			name := string(m[2])
			if _, seen := idx[name]; !seen {
				idx[name] = location{file: p, kind: kind}
			}
		}
		return nil
	})
	return idx
}

func loadPackage(dir string) *pkg {
	if p, ok := packages[dir]; ok {
		return p
	}
	p := &pkg{dir: dir, fset: token.NewFileSet(), files: map[string]*ast.File{}, funcs: map[string]*ast.FuncDecl{},
		methods: map[string]map[string]*ast.FuncDecl{}, values: map[string]ast.Expr{}, structs: map[string]*ast.StructType{}, imports: map[*ast.File]map[string]string{}}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, err := parser.ParseFile(p.fset, path, nil, parser.ParseComments)
		if err != nil {
			continue
		}
		p.files[path] = f
		imps := map[string]string{}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			local := filepath.Base(ip)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			imps[local] = ip
		}
		p.imports[f] = imps
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					p.funcs[d.Name.Name] = d
				} else if len(d.Recv.List) == 1 {
					t := d.Recv.List[0].Type
					if s, ok := t.(*ast.StarExpr); ok {
						t = s.X
					}
					if id, ok := t.(*ast.Ident); ok {
						if p.methods[id.Name] == nil {
							p.methods[id.Name] = map[string]*ast.FuncDecl{}
						}
						p.methods[id.Name][d.Name.Name] = d
					}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok {
						if st, ok := ts.Type.(*ast.StructType); ok {
							p.structs[ts.Name.Name] = st
						}
					}
					if vs, ok := s.(*ast.ValueSpec); ok {
						for i, n := range vs.Names {
							if i < len(vs.Values) {
								p.values[n.Name] = vs.Values[i]
							}
						}
					}
				}
			}
		}
	}
	packages[dir] = p
	return p
}

// ---- reading one resource ---------------------------------------------------------------------------

type reader struct {
	p          *pkg
	file       *ast.File
	unresolved []string
	customize  []string
	depth      int
}

func read(name string, loc location) *Resource {
	p := loadPackage(filepath.Dir(loc.file))
	f := p.files[loc.file]
	rel, _ := filepath.Rel(root, loc.file)
	r := &reader{p: p, file: f}
	res := &Resource{Resource: name, File: filepath.ToSlash(rel), Kind: loc.kind}
	fn := annotatedFunc(p, f, name)
	if fn == nil {
		res.Unresolved = append(res.Unresolved, "annotated function not found")
		return res
	}
	if loc.kind == "sdk" {
		res.Attrs = r.sdkResource(fn)
	} else {
		res.Attrs = r.frameworkResource(fn)
	}
	res.CustomizeDiff = r.customize
	res.Unresolved = append(res.Unresolved, r.unresolved...)
	return res
}

func annotatedFunc(p *pkg, f *ast.File, name string) *ast.FuncDecl {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Doc == nil {
			continue
		}
		for _, c := range fd.Doc.List {
			if m := annotation.FindStringSubmatch(c.Text); m != nil && m[2] == name {
				return fd
			}
		}
	}
	return nil
}

// providerModule is the module path of the provider; its internal packages are followed by resolve.
const providerModule = "github.com/hashicorp/terraform-provider-aws"

// resolve follows an expression to the composite literal it stands for: through &x, parentheses,
// calls of functions (their last return) in this package or another package of the provider, values
// made by sync.OnceValue, maps.Clone, and package-level variables. When it crosses into another
// package, r.p becomes that package (callers save and restore it).
func (r *reader) resolve(e ast.Expr) ast.Expr {
	for i := 0; i < 16 && e != nil; i++ {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.UnaryExpr:
			if x.Op != token.AND {
				return e
			}
			e = x.X
		case *ast.CallExpr:
			if isSelector(x.Fun, "maps", "Clone") && len(x.Args) == 1 {
				e = x.Args[0]
				continue
			}
			saved := r.p
			body := r.calleeBody(x.Fun, 0)
			if body == nil {
				r.p = saved
				return e
			}
			e = lastReturn(body, body)
		case *ast.FuncLit:
			e = lastReturn(x.Body, x.Body)
		case *ast.Ident:
			if fn := r.p.funcs[x.Name]; fn != nil {
				e = lastReturn(fn.Body, fn.Body)
				continue
			}
			if v, ok := r.p.values[x.Name]; ok {
				e = v
				continue
			}
			return e
		default:
			return e
		}
	}
	return e
}

// calleeBody is the body of the function a call expression's callee stands for.
func (r *reader) calleeBody(fun ast.Expr, depth int) *ast.BlockStmt {
	if depth > 8 {
		return nil
	}
	switch f := fun.(type) {
	case *ast.Ident:
		if fd := r.p.funcs[f.Name]; fd != nil {
			return fd.Body
		}
		if v, ok := r.p.values[f.Name]; ok {
			return r.funcValueBody(v, depth+1)
		}
	case *ast.FuncLit:
		return f.Body
	case *ast.ParenExpr:
		return r.calleeBody(f.X, depth+1)
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			if ip := r.importOf(id.Name); strings.HasPrefix(ip, providerModule+"/internal/") {
				r.p = loadPackage(filepath.Join(root, strings.TrimPrefix(ip, providerModule+"/")))
				return r.calleeBody(ast.NewIdent(f.Sel.Name), depth+1)
			}
		}
	case *ast.CallExpr:
		return r.funcValueBody(f, depth+1)
	}
	return nil
}

// funcValueBody is the body of the function a value is: a literal, a named function, sync.OnceValue(f),
// or what a call returns when it returns a function.
func (r *reader) funcValueBody(v ast.Expr, depth int) *ast.BlockStmt {
	if depth > 8 {
		return nil
	}
	switch x := v.(type) {
	case *ast.FuncLit:
		return x.Body
	case *ast.Ident:
		return r.calleeBody(x, depth+1)
	case *ast.CallExpr:
		if isSelector(x.Fun, "sync", "OnceValue") && len(x.Args) == 1 {
			return r.funcValueBody(x.Args[0], depth+1)
		}
		if body := r.calleeBody(x.Fun, depth+1); body != nil {
			return r.funcValueBody(lastReturn(body, body), depth+1)
		}
	}
	return nil
}

func (r *reader) importOf(local string) string {
	for _, imps := range r.p.imports {
		if ip, ok := imps[local]; ok {
			return ip
		}
	}
	return ""
}

func isSelector(e ast.Expr, pkgName, name string) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == pkgName && s.Sel.Name == name
}

func (r *reader) localFunc(e ast.Expr) *ast.FuncDecl {
	if id, ok := e.(*ast.Ident); ok {
		return r.p.funcs[id.Name]
	}
	return nil
}

// lastReturn is the first result of the last return statement of a body; a returned local variable is
// followed to the value it was declared with.
func lastReturn(body *ast.BlockStmt, scope *ast.BlockStmt) ast.Expr {
	if body == nil {
		return nil
	}
	var ret *ast.ReturnStmt
	ast.Inspect(body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) > 0 {
			ret = r
		}
		return true
	})
	if ret == nil {
		return nil
	}
	res := ret.Results[0]
	if id, ok := res.(*ast.Ident); ok {
		if v := localAssignment(scope, id.Name); v != nil {
			return v
		}
	}
	return res
}

func localAssignment(body *ast.BlockStmt, name string) ast.Expr {
	var found ast.Expr
	ast.Inspect(body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			for i, l := range s.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == name && i < len(s.Rhs) && found == nil {
					found = s.Rhs[i]
				}
			}
		case *ast.ValueSpec:
			for i, n := range s.Names {
				if n.Name == name && i < len(s.Values) && found == nil {
					found = s.Values[i]
				}
			}
		}
		return true
	})
	return found
}

func (r *reader) key(e ast.Expr) (string, bool) {
	switch k := e.(type) {
	case *ast.BasicLit:
		if k.Kind == token.STRING {
			v, err := strconv.Unquote(k.Value)
			return v, err == nil
		}
	case *ast.SelectorExpr:
		if id, ok := k.X.(*ast.Ident); ok && id.Name == "names" {
			v, ok := names[k.Sel.Name]
			return v, ok
		}
	case *ast.Ident:
		if v, ok := r.p.values[k.Name]; ok {
			return r.key(v)
		}
	}
	return "", false
}

func fields(lit *ast.CompositeLit) map[string]ast.Expr {
	out := map[string]ast.Expr{}
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok {
				out[id.Name] = kv.Value
			}
		}
	}
	return out
}

func isTrue(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "true"
}

func (r *reader) line(n ast.Node) int { return r.p.fset.Position(n.Pos()).Line }

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	case *ast.IndexExpr:
		return exprString(x.X) + "[" + exprString(x.Index) + "]"
	case *ast.CallExpr:
		args := make([]string, len(x.Args))
		for i, a := range x.Args {
			args[i] = exprString(a)
		}
		return exprString(x.Fun) + "(" + strings.Join(args, ", ") + ")"
	case *ast.BasicLit:
		return x.Value
	case *ast.StarExpr:
		return "*" + exprString(x.X)
	case *ast.UnaryExpr:
		return x.Op.String() + exprString(x.X)
	case *ast.CompositeLit:
		return exprString(x.Type) + "{…}"
	case *ast.FuncLit:
		return "func(…)"
	}
	return fmt.Sprintf("%T", e)
}

// ---- SDKv2 ----------------------------------------------------------------------------------------

func (r *reader) sdkResource(fn *ast.FuncDecl) []*Attr {
	lit, ok := r.resolve(lastReturn(fn.Body, fn.Body)).(*ast.CompositeLit)
	if !ok {
		r.unresolved = append(r.unresolved, "the annotated function does not return a &schema.Resource literal")
		return nil
	}
	fs := fields(lit)
	if cd, ok := fs["CustomizeDiff"]; ok {
		r.customizeDiff(cd)
	}
	for _, k := range []string{"Schema", "SchemaFunc"} {
		if e, ok := fs[k]; ok {
			return r.sdkMap(e, "")
		}
	}
	r.unresolved = append(r.unresolved, "no Schema or SchemaFunc")
	return nil
}

func (r *reader) sdkMap(e ast.Expr, at string) []*Attr {
	defer func(p *pkg) { r.p = p }(r.p)
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > 20 {
		r.unresolved = append(r.unresolved, at+": nesting too deep")
		return nil
	}
	resolved := r.resolve(e)
	lit, ok := resolved.(*ast.CompositeLit)
	if !ok {
		r.unresolved = append(r.unresolved, fmt.Sprintf("%s: schema map %s", at, exprString(resolved)))
		return nil
	}
	var out []*Attr
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		name, ok := r.key(kv.Key)
		if !ok {
			r.unresolved = append(r.unresolved, fmt.Sprintf("%s: key %s", at, exprString(kv.Key)))
			continue
		}
		out = append(out, r.sdkAttr(name, kv.Value, join(at, name)))
	}
	// Entries added after the literal (`s["x"] = …`) in the function that built it.
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func join(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

func (r *reader) sdkAttr(name string, e ast.Expr, at string) *Attr {
	defer func(p *pkg) { r.p = p }(r.p)
	a := &Attr{Name: name, Line: r.line(e)}
	resolved := r.resolve(e)
	lit, ok := resolved.(*ast.CompositeLit)
	if !ok {
		a.Unresolved = exprString(resolved)
		if strings.Contains(a.Unresolved, "TagsSchemaComputed") {
			a.Type, a.Computed = "map", true
			a.Unresolved = ""
		} else if strings.Contains(a.Unresolved, "TagsSchema") {
			a.Type, a.Optional = "map", true
			a.Unresolved = ""
		}
		return a
	}
	fs := fields(lit)
	if t, ok := fs["Type"]; ok {
		a.Type = strings.ToLower(strings.TrimPrefix(exprString(t), "schema.Type"))
	}
	a.Required = isTrue(fs["Required"])
	a.Optional = isTrue(fs["Optional"])
	a.Computed = isTrue(fs["Computed"])
	a.ForceNew = isTrue(fs["ForceNew"])
	a.Sensitive = isTrue(fs["Sensitive"])
	_, a.Deprecated = fs["Deprecated"]
	a.MaxItems = intValue(fs["MaxItems"])
	a.MinItems = intValue(fs["MinItems"])
	if d, ok := fs["Default"]; ok {
		a.Default = r.literal(d)
	}
	for _, k := range []string{"ValidateFunc", "ValidateDiagFunc"} {
		if v, ok := fs[k]; ok {
			a.Validations = append(a.Validations, r.validations(v)...)
		}
	}
	a.ConflictsWith = r.stringList(fs["ConflictsWith"])
	a.ExactlyOneOf = r.stringList(fs["ExactlyOneOf"])
	a.AtLeastOneOf = r.stringList(fs["AtLeastOneOf"])
	if el, ok := fs["Elem"]; ok {
		inner, ok := r.resolve(el).(*ast.CompositeLit)
		if ok && strings.HasSuffix(exprString(inner.Type), "Resource") {
			if s, ok := fields(inner)["Schema"]; ok {
				a.Children = r.sdkMap(s, at)
			}
		} else if ok {
			ef := fields(inner)
			if v, ok := ef["ValidateFunc"]; ok {
				a.Validations = append(a.Validations, r.validations(v)...)
			}
			if v, ok := ef["ValidateDiagFunc"]; ok {
				a.Validations = append(a.Validations, r.validations(v)...)
			}
		} else {
			a.Unresolved = "Elem " + exprString(r.resolve(el))
		}
	}
	return a
}

func intValue(e ast.Expr) int {
	if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.INT {
		n, _ := strconv.Atoi(lit.Value)
		return n
	}
	return 0
}

func (r *reader) literal(e ast.Expr) any {
	switch x := e.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.STRING:
			v, _ := strconv.Unquote(x.Value)
			return v
		case token.INT:
			n, _ := strconv.Atoi(x.Value)
			return n
		case token.FLOAT:
			f, _ := strconv.ParseFloat(x.Value, 64)
			return f
		}
	case *ast.Ident:
		if x.Name == "true" || x.Name == "false" {
			return x.Name == "true"
		}
		if v, ok := r.p.values[x.Name]; ok {
			return r.literal(v)
		}
	case *ast.UnaryExpr:
		if x.Op == token.SUB {
			if v, ok := r.literal(x.X).(int); ok {
				return -v
			}
		}
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && id.Name == "names" {
			return names[x.Sel.Name]
		}
		// An AWS SDK enum constant (awstypes.RoutingPolicyMultivalue): its value lives in the SDK.
		return map[string]string{"enumConstant": exprString(x), "package": r.importPath(x)}
	case *ast.CallExpr:
		// string(awstypes.X) and similar conversions.
		if len(x.Args) == 1 {
			return r.literal(x.Args[0])
		}
	}
	return exprString(e)
}

func (r *reader) importPath(s *ast.SelectorExpr) string {
	if id, ok := s.X.(*ast.Ident); ok {
		for _, f := range r.p.files {
			if ip, ok := r.p.imports[f][id.Name]; ok && r.fileOf(s) == f {
				return ip
			}
		}
		if ip, ok := r.p.imports[r.file][id.Name]; ok {
			return ip
		}
		for _, imps := range r.p.imports {
			if ip, ok := imps[id.Name]; ok {
				return ip
			}
		}
	}
	return ""
}

func (r *reader) fileOf(n ast.Node) *ast.File {
	for _, f := range r.p.files {
		if f.Pos() <= n.Pos() && n.End() <= f.End() {
			return f
		}
	}
	return nil
}

func (r *reader) stringList(e ast.Expr) []string {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	var out []string
	for _, el := range lit.Elts {
		if s, ok := r.key(el); ok {
			out = append(out, s)
		} else if v := r.literal(el); v != nil {
			out = append(out, fmt.Sprint(v))
		}
	}
	return out
}

func num(e ast.Expr, r *reader) *float64 {
	switch v := r.literal(e).(type) {
	case int:
		f := float64(v)
		return &f
	case float64:
		return &v
	}
	return nil
}

// validations recognises the validation helpers whose meaning is plain data.
func (r *reader) validations(e ast.Expr) []Validation {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return nil
	}
	fun := exprString(call.Fun)
	args := call.Args
	switch {
	case strings.HasSuffix(fun, "validation.All"), strings.HasSuffix(fun, "validation.AllDiag"), strings.HasSuffix(fun, "validation.ToDiagFunc"):
		var out []Validation
		for _, a := range args {
			out = append(out, r.validations(a)...)
		}
		return out
	case strings.HasSuffix(fun, "IntBetween") && len(args) == 2, strings.HasSuffix(fun, "FloatBetween") && len(args) == 2:
		return []Validation{{Kind: "between", Min: num(args[0], r), Max: num(args[1], r)}}
	case strings.HasSuffix(fun, "IntAtLeast") && len(args) == 1:
		return []Validation{{Kind: "between", Min: num(args[0], r)}}
	case strings.HasSuffix(fun, "IntAtMost") && len(args) == 1:
		return []Validation{{Kind: "between", Max: num(args[0], r)}}
	case strings.HasSuffix(fun, "StringLenBetween") && len(args) == 2:
		return []Validation{{Kind: "length", Min: num(args[0], r), Max: num(args[1], r)}}
	case strings.HasSuffix(fun, "IntInSlice") && len(args) >= 1, strings.HasSuffix(fun, "StringInSlice") && len(args) >= 1:
		if vals := r.stringList(args[0]); vals != nil {
			return []Validation{{Kind: "oneOf", Values: vals}}
		}
	case strings.HasSuffix(fun, "StringMatch") && len(args) >= 1:
		if c, ok := args[0].(*ast.CallExpr); ok && len(c.Args) == 1 {
			if s, ok := r.literal(c.Args[0]).(string); ok {
				return []Validation{{Kind: "pattern", Pattern: s}}
			}
		}
	}
	// enum.Validate[awstypes.X]() and enum.FrameworkValidate[…]: the values are the SDK type's Values().
	if ix, ok := call.Fun.(*ast.IndexExpr); ok && strings.Contains(exprString(ix.X), "Validate") {
		if sel, ok := ix.Index.(*ast.SelectorExpr); ok {
			return []Validation{{Kind: "enum", EnumType: exprString(sel), EnumPackage: r.importPath(sel)}}
		}
	}
	return nil
}

// customizeDiff records the attributes a CustomizeDiff forces a replacement of (customdiff.ForceNewIf…,
// d.ForceNew("x") in a package-local function).
func (r *reader) customizeDiff(e ast.Expr) {
	seen := map[*ast.FuncDecl]bool{}
	var visit func(n ast.Node)
	visit = func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fun := exprString(call.Fun)
			if strings.Contains(fun, "ForceNew") && len(call.Args) > 0 {
				if s, ok := r.key(call.Args[0]); ok {
					r.customize = append(r.customize, s+" ("+fun+")")
				}
			}
			for _, a := range append([]ast.Expr{call.Fun}, call.Args...) {
				if fd := r.localFunc(a); fd != nil && !seen[fd] {
					seen[fd] = true
					visit(fd.Body)
				}
			}
			return true
		})
	}
	if fd := r.localFunc(e); fd != nil {
		seen[fd] = true
		visit(fd.Body)
	}
	visit(e)
}

// ---- Plugin Framework --------------------------------------------------------------------------------

func (r *reader) frameworkResource(fn *ast.FuncDecl) []*Attr {
	// The constructor returns &someResource{…}; its Schema method fills response.Schema.
	var typeName string
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if u, ok := n.(*ast.UnaryExpr); ok && u.Op == token.AND {
			if lit, ok := u.X.(*ast.CompositeLit); ok {
				if id, ok := lit.Type.(*ast.Ident); ok && typeName == "" {
					typeName = id.Name
				}
			}
		}
		return true
	})
	m := r.method(typeName, "Schema", 0)
	if m == nil {
		r.unresolved = append(r.unresolved, fmt.Sprintf("no Schema method on %q", typeName))
		return nil
	}
	var schemaLit *ast.CompositeLit
	ast.Inspect(m.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 {
			return true
		}
		if sel, ok := as.Lhs[0].(*ast.SelectorExpr); ok && sel.Sel.Name == "Schema" {
			if lit, ok := r.resolveLocal(as.Rhs[0], m.Body).(*ast.CompositeLit); ok {
				schemaLit = lit
			}
		}
		return true
	})
	if schemaLit == nil {
		r.unresolved = append(r.unresolved, "response.Schema is not a literal")
		return nil
	}
	return r.fwObject(schemaLit, "")
}

// method finds a method of a struct type, or of a struct it embeds (a resource sharing a base's schema).
func (r *reader) method(typeName, name string, depth int) *ast.FuncDecl {
	if m := r.p.methods[typeName][name]; m != nil || depth > 4 {
		return m
	}
	st := r.p.structs[typeName]
	if st == nil {
		return nil
	}
	for _, f := range st.Fields.List {
		if len(f.Names) > 0 {
			continue
		}
		t := f.Type
		if s, ok := t.(*ast.StarExpr); ok {
			t = s.X
		}
		if id, ok := t.(*ast.Ident); ok {
			if m := r.method(id.Name, name, depth+1); m != nil {
				return m
			}
		}
	}
	return nil
}

func (r *reader) resolveLocal(e ast.Expr, body *ast.BlockStmt) ast.Expr {
	if id, ok := e.(*ast.Ident); ok {
		if v := localAssignment(body, id.Name); v != nil {
			return r.resolve(v)
		}
	}
	return r.resolve(e)
}

func (r *reader) fwObject(lit *ast.CompositeLit, at string) []*Attr {
	defer func(p *pkg) { r.p = p }(r.p)
	fs := fields(lit)
	var out []*Attr
	for _, k := range []string{"Attributes", "Blocks"} {
		m, ok := r.resolve(fs[k]).(*ast.CompositeLit)
		if fs[k] == nil {
			continue
		}
		if !ok {
			r.unresolved = append(r.unresolved, fmt.Sprintf("%s: %s %s", at, k, exprString(fs[k])))
			continue
		}
		for _, el := range m.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			name, ok := r.key(kv.Key)
			if !ok {
				r.unresolved = append(r.unresolved, fmt.Sprintf("%s: key %s", at, exprString(kv.Key)))
				continue
			}
			out = append(out, r.fwAttr(name, kv.Value, join(at, name)))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *reader) fwAttr(name string, e ast.Expr, at string) *Attr {
	defer func(p *pkg) { r.p = p }(r.p)
	a := &Attr{Name: name, Line: r.line(e)}
	resolved := r.resolve(e)
	lit, ok := resolved.(*ast.CompositeLit)
	if !ok {
		s := exprString(resolved)
		switch {
		case strings.Contains(s, "TagsAttribute"):
			a.Type, a.Optional = "map", true
		case strings.Contains(s, "ComputedOnly"), strings.Contains(s, "IDAttribute"), strings.Contains(s, "TagsAttributeComputedOnly"):
			a.Computed = true
		default:
			a.Unresolved = s
		}
		return a
	}
	kind := exprString(lit.Type)
	kind = kind[strings.LastIndex(kind, ".")+1:]
	fs := fields(lit)
	a.Required = isTrue(fs["Required"])
	a.Optional = isTrue(fs["Optional"])
	a.Computed = isTrue(fs["Computed"])
	a.Sensitive = isTrue(fs["Sensitive"])
	_, a.Deprecated = fs["DeprecationMessage"]
	switch {
	case strings.HasPrefix(kind, "ListNested"):
		a.Type = "list"
	case strings.HasPrefix(kind, "SetNested"):
		a.Type = "set"
	case strings.HasPrefix(kind, "SingleNested"):
		a.Type = "object"
	default:
		a.Type = strings.ToLower(strings.TrimSuffix(kind, "Attribute"))
	}
	if pm, ok := fs["PlanModifiers"]; ok {
		ast.Inspect(pm, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				f := exprString(c.Fun)
				if strings.HasSuffix(f, "RequiresReplace") {
					a.ForceNew = true
				} else if strings.Contains(f, "RequiresReplace") {
					a.ForceNewIf = f
				}
			}
			return true
		})
	}
	if v, ok := fs["Validators"]; ok {
		if vl, ok := v.(*ast.CompositeLit); ok {
			for _, el := range vl.Elts {
				a.Validations = append(a.Validations, r.fwValidations(el, a)...)
			}
		}
	}
	if ct, ok := fs["CustomType"]; ok {
		// fwtypes.StringEnumType[awstypes.X](): the values are the SDK type's Values().
		if c, ok := ct.(*ast.CallExpr); ok {
			if ix, ok := c.Fun.(*ast.IndexExpr); ok && strings.Contains(exprString(ix.X), "Enum") {
				if sel, ok := ix.Index.(*ast.SelectorExpr); ok {
					a.Validations = append(a.Validations, Validation{Kind: "enum", EnumType: exprString(sel), EnumPackage: r.importPath(sel)})
				}
			}
		}
	}
	if d, ok := fs["Default"]; ok {
		if c, ok := d.(*ast.CallExpr); ok && len(c.Args) == 1 {
			a.Default = r.literal(c.Args[0])
		}
	}
	if no, ok := fs["NestedObject"]; ok {
		if nl, ok := r.resolve(no).(*ast.CompositeLit); ok {
			a.Children = r.fwObject(nl, at)
		}
	} else if strings.HasPrefix(kind, "SingleNested") {
		a.Children = r.fwObject(lit, at)
	}
	return a
}

func (r *reader) fwValidations(e ast.Expr, a *Attr) []Validation {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return nil
	}
	fun := exprString(call.Fun)
	args := call.Args
	switch {
	case strings.HasSuffix(fun, "validator.Between") && len(args) == 2:
		return []Validation{{Kind: "between", Min: num(args[0], r), Max: num(args[1], r)}}
	case strings.HasSuffix(fun, "validator.AtLeast") && len(args) == 1:
		return []Validation{{Kind: "between", Min: num(args[0], r)}}
	case strings.HasSuffix(fun, "validator.AtMost") && len(args) == 1:
		return []Validation{{Kind: "between", Max: num(args[0], r)}}
	case strings.HasSuffix(fun, "LengthBetween") && len(args) == 2:
		return []Validation{{Kind: "length", Min: num(args[0], r), Max: num(args[1], r)}}
	case strings.HasSuffix(fun, "validator.OneOf"):
		var vals []string
		for _, x := range args {
			vals = append(vals, fmt.Sprint(r.literal(x)))
		}
		return []Validation{{Kind: "oneOf", Values: vals}}
	case strings.HasSuffix(fun, "SizeAtMost") && len(args) == 1:
		a.MaxItems = intValue(args[0])
	case strings.HasSuffix(fun, "SizeAtLeast") && len(args) == 1:
		a.MinItems = intValue(args[0])
	case strings.HasSuffix(fun, "SizeBetween") && len(args) == 2:
		a.MinItems, a.MaxItems = intValue(args[0]), intValue(args[1])
	case strings.HasSuffix(fun, "ConflictsWith"), strings.HasSuffix(fun, "ExactlyOneOf"), strings.HasSuffix(fun, "AtLeastOneOf"):
		var paths []string
		for _, x := range args {
			s := exprString(x)
			if m := regexp.MustCompile(`MatchRoot\("?([a-zA-Z0-9_.]+)"?\)`).FindStringSubmatch(s); m != nil {
				if v, ok := names[strings.TrimPrefix(m[1], "names.")]; ok {
					paths = append(paths, v)
				} else {
					paths = append(paths, strings.Trim(m[1], `"`))
				}
			}
		}
		switch {
		case strings.HasSuffix(fun, "ConflictsWith"):
			a.ConflictsWith = append(a.ConflictsWith, paths...)
		case strings.HasSuffix(fun, "ExactlyOneOf"):
			a.ExactlyOneOf = append(a.ExactlyOneOf, paths...)
		default:
			a.AtLeastOneOf = append(a.AtLeastOneOf, paths...)
		}
	}
	if ix, ok := call.Fun.(*ast.IndexExpr); ok && strings.Contains(exprString(ix.X), "Validate") {
		if sel, ok := ix.Index.(*ast.SelectorExpr); ok {
			return []Validation{{Kind: "enum", EnumType: exprString(sel), EnumPackage: r.importPath(sel)}}
		}
	}
	return nil
}
