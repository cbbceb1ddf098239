package reports_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/cellsite/cellsite/reports"
)

type mapKMLDoc struct {
	XMLName  xml.Name `xml:"http://www.opengis.net/kml/2.2 kml"`
	Document struct {
		Name   string `xml:"name"`
		Styles []struct {
			ID string `xml:"id,attr"`
		} `xml:"Style"`
		Folders []mapKMLMapFolder `xml:"Folder"`
	} `xml:"Document"`
}

type mapKMLMapFolder struct {
	Name        string `xml:"name"`
	Description string `xml:"description"`
	Folders     []struct {
		Name       string         `xml:"name"`
		Placemarks []mapPlacemark `xml:"Placemark"`
	} `xml:"Folder"`
}

type mapPlacemark struct {
	Name     string `xml:"name"`
	StyleURL string `xml:"styleUrl"`
	When     string `xml:"TimeStamp>when"`
	Data     []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value"`
	} `xml:"ExtendedData>Data"`
	Point *struct {
		Coordinates string `xml:"coordinates"`
	} `xml:"Point"`
	LineString *struct {
		Coordinates string `xml:"coordinates"`
	} `xml:"LineString"`
	Polygon *struct {
		Coordinates string `xml:"outerBoundaryIs>LinearRing>coordinates"`
	} `xml:"Polygon"`
}

func (p *mapPlacemark) data(name string) string {
	for _, d := range p.Data {
		if d.Name == name {
			return d.Value
		}
	}
	return ""
}

func TestKML(t *testing.T) {
	m := mapSmall(t)
	var buf bytes.Buffer
	if err := reports.WriteKML(&buf, []reports.Map{m}); err != nil {
		t.Fatal(err)
	}
	var doc mapKMLDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("KML does not parse: %v", err)
	}
	if len(doc.Document.Folders) != 1 {
		t.Fatalf("%d map folders, want 1", len(doc.Document.Folders))
	}
	f := doc.Document.Folders[0]
	if f.Name != m.Title || f.Description != "'@basis nearby" {
		t.Errorf("folder %q, %q", f.Name, f.Description)
	}
	counts := map[string]int{}
	for _, sub := range f.Folders {
		counts[sub.Name] = len(sub.Placemarks)
		for _, p := range sub.Placemarks {
			switch sub.Name {
			case "Sites":
				if p.Point == nil {
					t.Errorf("site %q without a point", p.Name)
				}
			case "Wedges":
				if p.Polygon == nil {
					t.Fatalf("wedge %q without a polygon", p.Name)
				}
				pts := strings.Fields(p.Polygon.Coordinates)
				if len(pts) < 4 || pts[0] != pts[len(pts)-1] {
					t.Errorf("wedge %q: ring of %d points, closed %v", p.Name, len(pts), pts[0] == pts[len(pts)-1])
				}
			case "Routes":
				if p.LineString == nil {
					t.Errorf("route %q without a line", p.Name)
				}
			case "Events":
				if (p.Point == nil) != (p.data("placed") == "false") {
					t.Errorf("event %s: point %v, placed %q", p.Name, p.Point != nil, p.data("placed"))
				}
				if p.When == "" {
					t.Errorf("event %s: no time stamp", p.Name)
				}
			}
		}
	}
	want := map[string]int{"Sites": 3, "Wedges": 3, "Routes": 1, "Events": 7}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%d placemarks in %s, want %d", counts[k], k, n)
		}
	}

	// Text came through neutralised and escaped, and back intact.
	text := buf.String()
	for _, want := range []string{"Quarry Hill &amp; &lt;Mabgate&gt;", "&#39;=HYPERLINK(&#34;http://x&#34;)", "<value>+447700900202</value>", "<value>&#39;-1+1</value>"} {
		if !strings.Contains(text, want) {
			t.Errorf("KML lacks %q", want)
		}
	}
}

func TestKMLGolden(t *testing.T) {
	var a, b bytes.Buffer
	maps := []reports.Map{mapSmall(t)}
	if err := reports.WriteKML(&a, maps); err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteKML(&b, maps); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two exports of the same maps differ")
	}
	mapGolden(t, "small.kml", a.Bytes())
}
