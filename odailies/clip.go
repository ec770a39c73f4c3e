package odailies

// Clip is one clip's metadata as the v1 API carries it: wire key → value.
// Values are string, bool or float64 (json.Number when decoded by this
// package), as Fields says for each key.
type Clip map[string]any

// Kind is the JSON type a clip field has on the wire.
type Kind uint8

const (
	String Kind = iota + 1
	Number
	Bool
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "bool"
	}
	return "unknown"
}

// Field is one v1 clip key. Names are exactly as the wire spells them,
// mixed case included.
type Field struct {
	Name string
	Kind Kind
}

// Fields lists every v1 clip key in the order the API documents them.
// "date" is a string in yyyyMMdd form.
var Fields = []Field{
	{"name", String}, {"scene", String}, {"shot", String}, {"take", String},
	{"description", String}, {"circled", Bool}, {"rating", Number},
	{"inPoint", Number}, {"camera", String}, {"timecode", String},
	{"fps", Number}, {"date", String}, {"duration", Number},
	{"reelname", String}, {"whitepointkelvin", Number},
	{"whitepointccshift", Number}, {"shutter", Number}, {"filter", String},
	{"ndfilter", String}, {"lens", String}, {"focallength", Number},
	{"focusdistance", Number}, {"asa", Number}, {"sensorFps", Number},
	{"fStop", Number}, {"tStop", Number}, {"filesize", Number},
	{"librarypath", String},
}

// FieldKind reports the kind of a v1 clip key, and whether it is one.
func FieldKind(name string) (Kind, bool) {
	for _, f := range Fields {
		if f.Name == name {
			return f.Kind, true
		}
	}
	return 0, false
}
